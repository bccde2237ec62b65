"""The infrastructure a test runs against: a PostgreSQL database, a MongoDB database and a
Kafka topic prefix of its own on what `make test` started (deploy/local/infra.sh), dropped
afterwards; and the repository's root, for tests that run its code as separate processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Infra:
    pg_admin_dsn: str
    pg_dsn: str
    kafka: str
    mongo_url: str
    mongo_db: str
    topic_prefix: str


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@asynccontextmanager
async def fresh_infra(name: str) -> AsyncIterator[Infra]:
    """A PostgreSQL database, a MongoDB database and a topic prefix of our own, dropped afterwards."""
    pg_port = _env("PGPORT", "5432")
    admin_dsn = f"postgresql://bahi@127.0.0.1:{pg_port}/postgres"
    database = f"bahi_test_{name}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    mongo_url = f"mongodb://127.0.0.1:{_env('MONGO_PORT', '27017')}"
    value = Infra(
        pg_admin_dsn=admin_dsn,
        pg_dsn=f"postgresql://bahi@127.0.0.1:{pg_port}/{database}",
        kafka=f"127.0.0.1:{_env('KAFKA_PORT', '9092')}",
        mongo_url=mongo_url,
        mongo_db=database,
        topic_prefix=f"test{name}",
    )
    try:
        yield value
    finally:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
        await client.drop_database(value.mongo_db)
        await client.close()


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"
