"""The wallets read side against the real MongoDB stand-in: a database of the module's own with
the read models' indexes, events applied through the projector's engine (`apply_batch`, as a
live batch is), and the query app of commerce and wallets (`create_app`, its own lifespan)
driven over HTTP in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from projector_service.engine.apply import apply_batch
from projector_service.projections import wallets as wallet_projections
from query_service import commerce, wallets
from query_service.app import create_app
from query_service.registry import QueryRegistry
from query_service.settings import Settings
from shared.envelope import EventEnvelope
from tests.support import auth
from tests.support.infra import Infra, unique
from tests.support.wallet_views import registry

Project = Callable[..., Coroutine[Any, Any, None]]


@pytest.fixture(scope="module")
async def wallet_db(infra: Infra) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    database = client[unique("wallets_q_")]
    for collection, indexes in registry().indexes.items():
        await database[collection].create_indexes(indexes)
    yield database
    await client.drop_database(database.name)
    await client.close()


@pytest.fixture(scope="module")
def project(wallet_db: Any) -> Project:
    """Apply envelopes to every wallets projection (or `only` one), through the engine."""

    async def run(events: list[EventEnvelope], only: str | None = None) -> None:
        registry()  # the wallet events are known to the process-wide registry from here on
        for projection in wallet_projections.MANIFEST.projections:
            if only in (None, projection.name):
                await apply_batch(wallet_db[projection.collection], projection, events)

    return run


@pytest.fixture(scope="module")
async def client(infra: Infra, wallet_db: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(mongo_url=infra.mongo_url, mongo_db=wallet_db.name, consistency_wait_seconds=0.3)
    app = create_app(settings, registry=QueryRegistry([commerce.MANIFEST, wallets.MANIFEST]))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://q", headers=auth.STAFF) as http:
            yield http
