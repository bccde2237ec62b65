"""The composition root of the command service: the only place that creates pools and clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI

from command_service.api import build_app
from command_service.event_store import EventStore
from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handlers import Clock
from command_service.handlers.base import configure_snapshots
from command_service.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """What the API needs; tests build it with fakes."""

    store: EventStore
    clock: Clock
    settings: Settings
    ready: ReadyCheck


class ReadyCheck:
    def __init__(self, pool: asyncpg.Pool | None) -> None:
        self._pool = pool

    async def __call__(self) -> None:
        if self._pool is not None:
            await self._pool.fetchval("SELECT 1")


async def create_pool(settings: Settings) -> asyncpg.Pool:
    return await open_pool(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_snapshots(product_every=settings.snapshot_every_product, order_every=settings.snapshot_every_order)
    holder: dict[str, Services] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(settings)
        await create_schema(pool)
        holder["services"] = Services(PostgresEventStore(pool), utc_now, settings, ReadyCheck(pool))
        try:
            yield
        finally:
            await pool.close()

    return build_app(lambda: holder["services"], lifespan=lifespan)
