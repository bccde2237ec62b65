"""Composition root of the query service: the only place that creates the MongoDB client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pymongo
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from query_service.api import build_app
from query_service.reads import DocumentLoader
from query_service.registry import QueryRegistry, default_registry
from query_service.settings import Settings
from shared.auth import authenticator_for
from shared.read_models import CollectionResolver
from shared.tracing import flush_tracing, setup_tracing
from shared.tuning import gc_tuned


def create_app(
    settings: Settings | None = None, registry: QueryRegistry | None = None, *, fast_reads: bool = True
) -> FastAPI:
    """The API of every context in `registry` (default: `shared.contexts.CONTEXTS`).

    `fast_reads=False` leaves every read to FastAPI's router (`query_service.api.fast` off):
    what tests.bench.bench_query measures the fast path against."""
    settings = settings or Settings()
    registry = registry or default_registry()
    setup_tracing(settings, "bahi-query")
    auth = authenticator_for(settings, "the query service")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url, tz_aware=True, maxPoolSize=settings.mongo_pool_size
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = client[settings.mongo_db]
        app.state.resolver = CollectionResolver(app.state.db)
        app.state.settings = settings
        app.state.loader = DocumentLoader(
            app.state.db,
            app.state.resolver,
            max_batch=settings.read_batch_max,
            max_in_flight=settings.read_batch_in_flight,
        )
        try:
            with gc_tuned(collect_first=True):  # after start-up: what exists now lives as long as the process
                yield
        finally:
            await app.state.loader.close()
            await client.close()
            flush_tracing()

    async def ready() -> None:
        with pymongo.timeout(settings.mongo_ready_seconds):
            await client.admin.command("ping")

    return build_app(lifespan=lifespan, ready=ready, auth=auth, fast_reads=fast_reads, registry=registry)
