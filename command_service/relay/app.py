"""Composition root of the relay process: database, producer, health/metrics server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI

from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.relay.audit import AuditReport, audit
from command_service.relay.publisher import Publisher, create_producer
from command_service.relay.relay import Relay
from command_service.settings import Settings
from shared import kafka_connections
from shared.kafka_admin import ensure_topics
from shared.tracing import flush_tracing, setup_tracing
from shared.tuning import gc_tuned
from shared.web import install_health

RELAY_GEN0 = 100_000
"""Young collections every this many net allocations (a batch holds a few thousand events)."""
STOP_TIMEOUT_SECONDS = 10.0
"""How long a graceful stop waits for the broker's acknowledgements before it cancels."""


def health_app(relay: Relay, lifespan: Any = None) -> FastAPI:
    app = FastAPI(title="Bahi relay", docs_url=None, redoc_url=None, lifespan=lifespan)

    async def ready() -> None:
        # A standby relay is healthy and ready: it takes over when the leader dies.
        return None

    install_health(app, "relay", ready)

    @app.get("/status")
    async def status() -> dict[str, object]:
        return {
            "leader": relay.is_leader,
            "checkpoint": {"tx_id": relay.checkpoint.tx_id, "position": relay.checkpoint.position},
        }

    return app


async def _prepare(settings: Settings) -> None:
    pool = await open_pool(settings.database_url, min_size=1, max_size=1)
    try:
        await create_schema(pool)
    finally:
        await pool.close()
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions)


async def serve(settings: Settings) -> None:
    setup_tracing(settings, "bahi-relay")
    kafka_connections.install()
    await _prepare(settings)
    # Batches of a few thousand rows keep ~5 containers per event alive; with the default
    # thresholds the cyclic collector runs every ~150 events and keeps rescanning them.
    with gc_tuned(RELAY_GEN0):
        await _serve(settings)


async def _serve(settings: Settings) -> None:
    producer = create_producer(settings.kafka_bootstrap)
    relay = Relay(
        settings.database_url,
        Publisher(producer, prefix=settings.topic_prefix, source=settings.cloudevents_source),
        name=settings.relay_name,
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
    )

    @contextlib.asynccontextmanager
    async def publishing(_: FastAPI) -> AsyncIterator[None]:
        """The relay publishes while the server runs. Its stop is the server's shutdown: on
        SIGINT/SIGTERM uvicorn shuts the application down and then re-raises the signal, so
        code after `serve()` would never run; here the relay checkpoints what the broker
        acknowledged before the process ends."""
        await producer.start()
        pump = asyncio.create_task(relay.run())
        try:
            yield
        finally:
            await relay.stop(pump, STOP_TIMEOUT_SECONDS)
            await producer.stop()
            flush_tracing()

    app = health_app(relay, lifespan=publishing)
    config = uvicorn.Config(app, host=settings.host, port=settings.relay_port, log_config=None, access_log=False)
    await uvicorn.Server(config).serve()


async def republish_range(settings: Settings, first: int, last: int | None) -> int:
    await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions)
    pool = await open_pool(settings.database_url, min_size=1, max_size=2)
    producer = create_producer(settings.kafka_bootstrap)
    await producer.start()
    publisher = Publisher(producer, prefix=settings.topic_prefix, source=settings.cloudevents_source)
    store = PostgresEventStore(pool)
    sent, after = 0, first - 1
    try:
        while True:
            events = await store.read_all(after, settings.relay_batch_size)
            events = [e for e in events if last is None or e.position <= last]
            if not events:
                return sent
            await publisher.publish(events)
            sent += len(events)
            after = events[-1].position
    finally:
        await producer.stop()
        await pool.close()


async def run_audit(settings: Settings, republish_holes: bool) -> AuditReport:
    if not republish_holes:
        return await audit(settings.database_url, settings.kafka_bootstrap, settings.topic_prefix, settings.relay_name)
    producer = create_producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        publisher = Publisher(producer, prefix=settings.topic_prefix, source=settings.cloudevents_source)
        return await audit(
            settings.database_url, settings.kafka_bootstrap, settings.topic_prefix, settings.relay_name, publisher
        )
    finally:
        await producer.stop()
