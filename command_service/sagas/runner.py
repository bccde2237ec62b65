"""The payment saga's process: a Kafka consumer (its own group) feeding the saga,
a timer cancelling overdue orders, and /healthz, /readyz, /metrics, /status.

Offsets are committed only after the watches of a batch are saved, so a crash
redelivers (harmless: watches are version-guarded). The timer re-reads the due
watches from PostgreSQL on every tick, so a restart loses no deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import asyncpg
import uvicorn
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from fastapi import FastAPI

from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handlers.base import configure_snapshots
from command_service.sagas.payment import PaymentSaga
from command_service.sagas.watches import PostgresWatchStore
from command_service.settings import Settings
from shared.cloudevents import from_kafka
from shared.kafka_admin import ensure_topics
from shared.topics import topic_for
from shared.web import install_health

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def consume(saga: PaymentSaga, settings: Settings, started: asyncio.Event) -> None:
    """Feed the saga from the order topic until cancelled; reconnects with backoff."""
    backoff = 0.2
    while True:
        consumer = AIOKafkaConsumer(
            topic_for("order", settings.topic_prefix),
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=f"{settings.topic_prefix}.saga.payment",
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
                        await saga.handle(from_kafka(record.key, record.value, record.headers))
                if batches:
                    await consumer.commit()
        except (KafkaError, OSError, asyncpg.PostgresConnectionError) as exc:
            log.warning("payment saga consumer failed (%s); retrying in %.1fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()


async def tick_forever(saga: PaymentSaga, every: float) -> None:
    while True:
        try:
            await saga.tick()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("payment saga tick failed (%s); retrying", exc)
        await asyncio.sleep(every)


async def serve(settings: Settings) -> None:
    configure_snapshots(product_every=settings.snapshot_every_product, order_every=settings.snapshot_every_order)
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions)
    pool = await open_pool(settings.database_url, min_size=1, max_size=5)
    await create_schema(pool)
    watches = PostgresWatchStore(pool)
    await watches.create_schema()
    timeout = timedelta(seconds=settings.payment_timeout_seconds)
    saga = PaymentSaga(watches, PostgresEventStore(pool), utc_now, timeout)
    started = asyncio.Event()

    app = FastAPI(title="Bahi payment saga", docs_url=None, redoc_url=None)

    async def ready() -> None:
        await pool.fetchval("SELECT 1")
        if not started.is_set():
            raise RuntimeError("kafka consumer not started yet")

    install_health(app, "saga", ready)

    @app.get("/status")
    async def status() -> dict[str, object]:
        return {"watching": await watches.waiting(), "timeout_seconds": settings.payment_timeout_seconds}

    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=settings.saga_port, log_config=None, access_log=False)
    )
    tasks = [
        asyncio.create_task(consume(saga, settings, started)),
        asyncio.create_task(tick_forever(saga, min(settings.saga_tick_seconds, settings.payment_timeout_seconds / 4))),
    ]
    try:
        await server.serve()  # returns on SIGINT/SIGTERM
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await pool.close()
