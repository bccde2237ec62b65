"""The composition root of the command service: the only place that creates pools and clients,
reads the contexts' settings and wires handlers to their dependencies (by parameter name).
The process managers' runner (`command_service.sagas`) builds its dispatcher here too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from fastapi import FastAPI

from command_service.api import build_app
from command_service.event_store import EventStore
from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handling import Clock, CommandRegistry, Dispatcher, Loader, default_registry
from command_service.settings import Settings
from shared.auth import authenticator_for
from shared.ratelimit import RateLimits
from shared.tracing import flush_tracing, setup_tracing


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_dispatcher(
    registry: CommandRegistry,
    store: EventStore,
    clock: Clock,
    settings: Settings,
    context_settings: Mapping[str, Any] | None = None,
) -> Dispatcher:
    """The registry's handlers bound to the store, the clock, an aggregate loader and each
    context's dependencies."""
    context_settings = context_settings if context_settings is not None else registry.settings()
    load = Loader(store, registry.aggregates(context_settings))
    generic = {"store": store, "clock": clock, "load": load}
    return Dispatcher(
        registry.commands,
        store=store,
        dependencies=registry.dependencies(context_settings, generic),
        max_attempts=settings.max_conflict_retries,
    )


@dataclass
class Services:
    """What the API needs; tests build it with fakes."""

    store: EventStore
    dispatch: Dispatcher
    settings: Settings
    ready: ReadyCheck


class ReadyCheck:
    def __init__(self, pool: asyncpg.Pool | None) -> None:
        self._pool = pool

    async def __call__(self) -> None:
        if self._pool is not None:
            await self._pool.fetchval("SELECT 1")


def services_for(
    store: EventStore,
    *,
    clock: Clock = utc_now,
    settings: Settings | None = None,
    registry: CommandRegistry | None = None,
    ready: ReadyCheck | None = None,
) -> Services:
    settings = settings or Settings()
    registry = registry or default_registry()
    dispatch = build_dispatcher(registry, store, clock, settings)
    return Services(store, dispatch, settings, ready or ReadyCheck(None))


async def create_pool(settings: Settings) -> asyncpg.Pool:
    return await open_pool(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)


def create_app(settings: Settings | None = None, registry: CommandRegistry | None = None) -> FastAPI:
    settings = settings or Settings()
    registry = registry or default_registry()
    setup_tracing(settings, "bahi-command")
    auth = authenticator_for(settings, "the command service")
    holder: dict[str, Services] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(settings)
        await create_schema(pool)
        holder["services"] = services_for(
            PostgresEventStore(pool), settings=settings, registry=registry, ready=ReadyCheck(pool)
        )
        try:
            yield
        finally:
            await pool.close()
            flush_tracing()

    return build_app(lambda: holder["services"], registry, lifespan=lifespan, auth=auth, limits=RateLimits.of(settings))
