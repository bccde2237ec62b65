"""Fixtures for every test level. Integration fixtures give each test session its own
PostgreSQL database, MongoDB database and Kafka topic prefix on the infrastructure
that `make test` started (deploy/local/infra.sh), so runs never see each other's data
(the helpers behind them are in tests/support/infra.py).

Authentication is on, as in production: the services built or started by the tests trust the
suite's own test key (tests/support/auth.py), put in the environment here before any test
reads a `Settings()`, and the tests' HTTP clients send its tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from pymongo import AsyncMongoClient

from command_service.event_store.postgres import create_schema, open_pool
from tests.support import auth
from tests.support.infra import Infra, fresh_infra

auth.use_in_environment()


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
async def infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(run_id) as value:
        yield value


@pytest.fixture(scope="session")
async def pg_pool(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(infra.pg_dsn, min_size=2, max_size=40)
    await create_schema(pool)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def mongo(infra: Infra) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    yield client[infra.mongo_db]
    await client.close()
