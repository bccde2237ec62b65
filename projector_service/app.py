"""Composition root of the projector: Kafka broker, MongoDB client, health/metrics HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from projector_service.projections import PROJECTIONS
from projector_service.settings import Settings
from projector_service.subscribers import register
from shared.kafka_admin import ensure_topics
from shared.web import install_health


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    broker = KafkaBroker(settings.kafka_bootstrap, logger=None)
    for projection in PROJECTIONS.values():
        register(
            broker,
            client[settings.mongo_db],
            projection,
            prefix=settings.topic_prefix,
            group_prefix=settings.group_prefix,
            max_records=settings.batch_max_records,
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions)
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            await client.close()

    app = FastAPI(title="Bahi projector", lifespan=lifespan, docs_url=None, redoc_url=None)

    async def ready() -> None:
        await client.admin.command("ping")
        if not await broker.ping(timeout=2.0):
            raise RuntimeError("kafka broker not reachable")

    install_health(app, "projector", ready)
    return app
