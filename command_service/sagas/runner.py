"""The process managers' process: for each registered process manager, a Kafka consumer (its
own group) feeding it and a timer letting it act on what is due; and /healthz, /readyz,
/metrics, /status.

Offsets are committed only after a batch was handled (its state saved), so a crash
redelivers (harmless: process managers guard their state by stream version). The timer
re-reads what is due from PostgreSQL on every tick, so a restart loses no deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import uvicorn
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from fastapi import FastAPI

from command_service.bootstrap import build_dispatcher
from command_service.event_store.pool import UNREACHABLE
from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handling import CommandRegistry, default_registry
from command_service.sagas.spec import ProcessManager, ProcessManagerSpec, Resources
from command_service.settings import Settings
from shared import kafka_connections
from shared.cloudevents import from_kafka
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from shared.web import install_health

log = logging.getLogger(__name__)

_TICK_ERRORS: tuple[type[BaseException], ...] = (*UNREACHABLE, asyncpg.PostgresError, asyncpg.InterfaceError)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def consume(
    manager: ProcessManager, spec: ProcessManagerSpec, settings: Settings, started: asyncio.Event
) -> None:
    """Feed the process manager from its topics until cancelled; reconnects with backoff."""
    backoff = 0.2
    while True:
        consumer = AIOKafkaConsumer(
            *[topic_for(stream_type, settings.topic_prefix) for stream_type in spec.stream_types],
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=f"{settings.topic_prefix}.saga.{spec.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        try:
            await consumer.start()
            started.set()
            backoff = 0.2
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=500)
                for records in batches.values():
                    for record in records:
                        await manager.handle(from_kafka(record.key, record.value, record.headers))
                if batches:
                    await consumer.commit()
        except (KafkaError, *UNREACHABLE) as exc:
            # UNREACHABLE includes PostgreSQL starting up or shutting down (CannotConnectNowError,
            # AdminShutdownError): not caught, it ended this task for good, silently, while the
            # process stayed ready (the chaos suite, tests/chaos, caught it).
            log.warning("%s consumer failed (%s); retrying in %.1fs", spec.name, exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()


async def tick_forever(manager: ProcessManager, name: str, every: float) -> None:
    while True:
        try:
            await manager.tick()
        except _TICK_ERRORS as exc:
            # UNREACHABLE includes asyncpg's InternalClientError on a connection the dying server
            # left half-way: not caught, it ended this timer for good (the chaos suite caught it).
            log.warning("%s tick failed (%s); retrying", name, exc)
        await asyncio.sleep(every)


async def serve(settings: Settings, registry: CommandRegistry | None = None) -> None:
    registry = registry or default_registry()
    kafka_connections.install()
    await ensure_topics(
        settings.kafka_bootstrap,
        settings.topic_prefix,
        settings.topic_partitions,
        stream_types=registry.catalog.stream_types,
    )
    pool = await open_pool(settings.database_url, min_size=1, max_size=5)
    await create_schema(pool)
    context_settings = registry.settings()
    store = PostgresEventStore(pool)
    dispatch = build_dispatcher(registry, store, utc_now, settings, context_settings)
    owners = {name: registry.process_managers.owner(name) for name in registry.process_managers}
    managers: dict[str, tuple[ProcessManagerSpec, ProcessManager]] = {}
    for name, spec in registry.process_managers.items():
        resources = Resources(pool, store, utc_now, dispatch, context_settings[owners[name]])
        managers[name] = (spec, await spec.build(resources))
    started = {name: asyncio.Event() for name in managers}
    tasks: dict[str, asyncio.Task[None]] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Started and stopped in the server's lifespan: on SIGTERM uvicorn runs the shutdown and then
        # re-raises the signal, so code after `serve()` never runs. Stopping here lets each consumer
        # leave its group (a restarted runner takes the partitions at once, not after the session
        # timeout) and closes the pool.
        for name, (spec, manager) in managers.items():
            every = min(settings.saga_tick_seconds, manager.max_tick_seconds)
            tasks[f"{name} consumer"] = asyncio.create_task(consume(manager, spec, settings, started[name]))
            tasks[f"{name} timer"] = asyncio.create_task(tick_forever(manager, name, every))
        try:
            yield
        finally:
            for task in tasks.values():
                task.cancel()
            for task in tasks.values():
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await pool.close()

    app = FastAPI(title="Bahi process managers", docs_url=None, redoc_url=None, lifespan=lifespan)

    async def ready() -> None:
        await pool.fetchval("SELECT 1")
        waiting = [name for name, event in started.items() if not event.is_set()]
        if waiting:
            raise RuntimeError(f"kafka consumer not started yet: {', '.join(waiting)}")
        # Each loop retries what it can; one that ended anyway (a bug) leaves its manager idle: not ready.
        ended = [name for name, task in tasks.items() if task.done()]
        if ended:
            raise RuntimeError(f"ended: {', '.join(ended)}")

    install_health(app, "saga", ready)

    @app.get("/status")
    async def status() -> dict[str, object]:
        return {name: await manager.status() for name, (_, manager) in managers.items()}

    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=settings.saga_port, log_config=None, access_log=False)
    )
    await server.serve()
