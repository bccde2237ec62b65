"""Composition root of the projector: the only place that creates the MongoDB client,
the Kafka broker and producer. The service (`create_app`) and the CLI commands
(`open_resources`) are both built here, each with the registry of projections it is
given (tests pass one with a context of their own) or the default one, built once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pymongo
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from projector_service.dead_letters import DeadLetters, ParkingLot, ensure_dlq_topic
from projector_service.engine import Projection
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import SharedDecoder
from projector_service.live import StatusCollector, metrics, register
from projector_service.read_models import drop_due, ensure_indexes, live_collection
from projector_service.rebuild import ledger
from projector_service.registry import ProjectorRegistry, default_registry
from projector_service.settings import Settings
from shared import kafka_connections
from shared.kafka_admin import ensure_topics
from shared.tracing import flush_tracing, setup_tracing
from shared.web import install_health

log = logging.getLogger(__name__)


@dataclass
class Resources:
    settings: Settings
    registry: ProjectorRegistry
    db: AsyncDatabase[Any]
    lot: ParkingLot
    dead_letters: DeadLetters


@asynccontextmanager
async def open_resources(
    settings: Settings, *, kafka: bool = True, registry: ProjectorRegistry | None = None
) -> AsyncIterator[Resources]:
    """MongoDB and (unless `kafka` is false) the dead-letter producer, for a CLI command."""
    registry = registry if registry is not None else default_registry()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    dead_letters = DeadLetters(settings.kafka_bootstrap if kafka else None, settings.dlq_topic)
    try:
        if kafka:
            await ensure_dlq_topic(settings.kafka_bootstrap, settings.dlq_topic, settings.topic_partitions)
        await dead_letters.start()
        db = client[settings.mongo_db]
        lot = ParkingLot(db)
        await lot.ensure_indexes()
        yield Resources(settings, registry, db, lot, dead_letters)
    finally:
        await dead_letters.stop()
        await client.close()


async def _housekeeping(
    settings: Settings, db: AsyncDatabase[Any], lot: ParkingLot, projections: list[Projection]
) -> None:
    """Refresh the lag gauges and drop retired collections whose grace period is over, every
    `status_interval_seconds`: one projection at a time, spread over the interval. Looking at all
    of them at once (Kafka offsets and a peek, MongoDB counts) stalls the live batches of this
    process for that long, every round: fresh views matter more than fresh gauges."""
    collector = StatusCollector(settings.kafka_bootstrap, settings.topic_prefix, settings.group_prefix, db)
    step = settings.status_interval_seconds / max(len(projections), 1)
    await collector.start()
    try:
        while True:
            statuses = []
            try:
                for projection in projections:
                    statuses += await collector.collect([projection])
                    await asyncio.sleep(step)
                metrics.export(statuses)
                for dropped in await drop_due(db, lot):
                    log.info("dropped retired collection %s", dropped)
            except Exception:  # a dependency down: the next round tries again
                log.warning("status refresh failed", exc_info=True)
                await asyncio.sleep(settings.status_interval_seconds)
    finally:
        await collector.stop()


def selected(settings: Settings, registry: ProjectorRegistry) -> list[Projection]:
    """The projections BAHI_PROJECTIONS names (all of them when it is empty)."""
    known = registry.projections
    names = settings.projection_names or list(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"BAHI_PROJECTIONS names unknown projections: {', '.join(unknown)}")
    return [known[name] for name in names]


def create_app(settings: Settings | None = None, registry: ProjectorRegistry | None = None) -> FastAPI:
    settings = settings or Settings()
    registry = registry if registry is not None else default_registry()
    projections = selected(settings, registry)
    setup_tracing(settings, "bahi-projector")
    kafka_connections.install()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    db = client[settings.mongo_db]
    lot = ParkingLot(db, empty_for=settings.parked_check_seconds)
    dead_letters = DeadLetters(settings.kafka_bootstrap, settings.dlq_topic)
    broker = KafkaBroker(settings.kafka_bootstrap, logger=None)
    decode = SharedDecoder(settings.shared_decoded_records)
    stale_after = timedelta(seconds=settings.rebuild_stale_seconds)
    for projection in projections:
        processor = BatchProcessor(
            db,
            projection,
            lot=lot,
            dead_letters=dead_letters,
            live_cache_docs=settings.live_cache_docs,
            handed_over=functools.partial(ledger.handed_over, db, stale_after=stale_after),
        )
        register(broker, processor, settings, decode)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stream_types = {t for projection in projections for t in projection.stream_types}
        await ensure_topics(
            settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions, stream_types=stream_types
        )
        await ensure_dlq_topic(settings.kafka_bootstrap, settings.dlq_topic, settings.topic_partitions)
        await lot.ensure_indexes()
        for projection in projections:
            live = await live_collection(db, projection.collection)
            await ensure_indexes(db, registry.indexes_for(projection), live)
        await dead_letters.start()
        await broker.start()
        housekeeping = asyncio.create_task(_housekeeping(settings, db, lot, projections))
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await broker.stop()
            await dead_letters.stop()
            await client.close()
            flush_tracing()

    app = FastAPI(title="Bahi projector", lifespan=lifespan, docs_url=None, redoc_url=None)

    async def ready() -> None:
        with pymongo.timeout(settings.mongo_ready_seconds):
            await client.admin.command("ping")
        if not await broker.ping(timeout=2.0):
            raise RuntimeError("kafka broker not reachable")

    install_health(app, "projector", ready)
    return app
