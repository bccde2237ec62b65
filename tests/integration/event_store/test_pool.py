"""The command side's pool (`open_pool`) skips asyncpg's server-side session reset on
release: what that leaves, and what a release still undoes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from command_service.event_store.postgres import open_pool
from tests.support.infra import Infra, unique

pytestmark = [pytest.mark.integration]


@pytest.fixture
async def one_connection(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(infra.pg_dsn, min_size=1, max_size=1)
    yield pool
    await pool.close()


async def test_a_release_sends_nothing_to_the_server(one_connection: asyncpg.Pool) -> None:
    # A session setting survives a release: asyncpg's default reset (RESET ALL and the
    # rest, one more round trip per release) would have cleared it.
    async with one_connection.acquire() as conn:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute("SELECT set_config('bahi.probe', 'kept', false)")
    async with one_connection.acquire() as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") == backend
        assert await conn.fetchval("SELECT current_setting('bahi.probe', true)") == "kept"


async def test_a_transaction_left_open_is_rolled_back_on_release(infra: Infra, one_connection: asyncpg.Pool) -> None:
    table = unique("pool_probe_")
    await one_connection.execute(f"CREATE TABLE {table} (n int)")
    async with one_connection.acquire() as conn:
        await conn.execute("BEGIN")
        await conn.execute(f"INSERT INTO {table} VALUES (1)")
        await conn.fetchval("SELECT pg_advisory_xact_lock(7140999)")
    async with one_connection.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0
        # The transaction's advisory lock went with it: another session takes it at once.
        other = await asyncpg.connect(infra.pg_dsn)
        try:
            assert await other.fetchval("SELECT pg_try_advisory_lock(7140999)")
        finally:
            await other.close()
    await one_connection.execute(f"DROP TABLE {table}")
