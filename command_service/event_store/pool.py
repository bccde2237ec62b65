"""Connections to the event store's PostgreSQL: the pool every part of the command side uses
(jsonb through orjson, no session reset) and the schema, made once by whoever starts first."""

from __future__ import annotations

from importlib import resources
from typing import Any

import asyncpg
import orjson

UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, timed out (TimeoutError is one)
    asyncpg.PostgresConnectionError,  # the connection dropped (ConnectionDoesNotExistError) or failed
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # the server is starting up or in recovery
    # A pooled connection the dying server left half-way through an error ("cannot switch to state
    # 12; another operation (2) is in progress"): seen by the chaos suite when PostgreSQL is killed.
    asyncpg.InternalClientError,
)
"""What a call to the event store raises while PostgreSQL is unreachable: the command service
answers these with a 503 and `Retry-After` (`shared.web.install_unavailable`)."""


def schema_sql() -> str:
    return resources.files("command_service.event_store").joinpath("schema.sql").read_text()


async def init_connection(conn: asyncpg.Connection) -> None:
    """jsonb as bytes both ways: orjson does the (de)serialising, once.

    Binary, not text: the text format lets asyncpg call `orjson.loads` with no Python
    frame per value (reads slightly faster), but every jsonb element of the appends'
    arrays then goes as an escaped array literal, which costs the appends of multi-event
    commands more than reads gain (`python -m tests.bench.bench_append` and
    `python -m tests.bench.bench_feed` re-measure both sides)."""
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def open_pool(dsn: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    """The pool every part of the command side uses: jsonb via orjson, and no session reset.

    asyncpg's default release sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` to the server: one more round trip for every `pool.fetch` and every
    acquire. Our pooled connections keep no session state: advisory locks are taken per
    transaction (`pg_advisory_xact_lock`), cursors live inside transactions, nothing
    runs `SET`, and the relay's leader lock and LISTEN are on its own connection, not a
    pooled one. So a release only does asyncpg's client-side part, which still rolls back
    a transaction left open (tests/integration/event_store/test_pool.py)."""
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=init_connection, reset=_keep_session
    )
    assert pool is not None
    return pool


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to undo on the server (see `open_pool`)."""


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + (value if isinstance(value, bytes) else orjson.dumps(value))


def _decode_jsonb(raw: bytes) -> Any:
    return orjson.loads(raw[1:])


async def create_schema(pool: asyncpg.Pool) -> None:
    # Serialise concurrent starters: CREATE ... IF NOT EXISTS is not race-free.
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(7140001)")
        await conn.execute(schema_sql())
