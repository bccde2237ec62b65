"""Where the payment saga keeps its watches: its own PostgreSQL table (never another
aggregate's), and an in-memory fake with the same behaviour for unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import asyncpg

from command_service.commerce.payment_saga.saga import Watch, WatchState

SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_payment_watch (
    order_id   text PRIMARY KEY,
    deadline   timestamptz NOT NULL,
    state      text NOT NULL,
    reason     text NOT NULL,
    version    bigint NOT NULL,
    outcome    text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS saga_payment_watch_due ON saga_payment_watch (deadline) WHERE state <> 'DONE';
"""


def _watch(row: asyncpg.Record) -> Watch:
    return Watch(
        row["order_id"], row["deadline"], WatchState(row["state"]), row["reason"], row["version"], row["outcome"]
    )


class PostgresWatchStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(7140005)")  # concurrent starters
            await conn.execute(SCHEMA)

    async def get(self, order_id: str) -> Watch | None:
        row = await self._pool.fetchrow("SELECT * FROM saga_payment_watch WHERE order_id = $1", order_id)
        return _watch(row) if row else None

    async def save(self, watch: Watch) -> None:
        await self._pool.execute(
            """INSERT INTO saga_payment_watch (order_id, deadline, state, reason, version, outcome)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (order_id) DO UPDATE SET deadline = excluded.deadline, state = excluded.state,
                   reason = excluded.reason, version = excluded.version, outcome = excluded.outcome, updated_at = now()
               WHERE saga_payment_watch.version < excluded.version""",
            watch.order_id,
            watch.deadline,
            watch.state.value,
            watch.reason,
            watch.version,
            watch.outcome,
        )

    async def due(self, now: datetime, limit: int) -> list[Watch]:
        rows = await self._pool.fetch(
            "SELECT * FROM saga_payment_watch WHERE state <> 'DONE' AND deadline <= $1 ORDER BY deadline LIMIT $2",
            now,
            limit,
        )
        return [_watch(row) for row in rows]

    async def finish(self, order_id: str, outcome: str) -> None:
        await self._pool.execute(
            "UPDATE saga_payment_watch SET state = 'DONE', outcome = $2, updated_at = now() WHERE order_id = $1",
            order_id,
            outcome,
        )

    async def waiting(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM saga_payment_watch WHERE state <> 'DONE'"))


class InMemoryWatchStore:
    def __init__(self) -> None:
        self.watches: dict[str, Watch] = {}

    async def get(self, order_id: str) -> Watch | None:
        return self.watches.get(order_id)

    async def save(self, watch: Watch) -> None:
        current = self.watches.get(watch.order_id)
        if current is None or current.version < watch.version:
            self.watches[watch.order_id] = watch

    async def due(self, now: datetime, limit: int) -> list[Watch]:
        due = [w for w in self.watches.values() if w.state is not WatchState.DONE and w.deadline <= now]
        return sorted(due, key=lambda w: w.deadline)[:limit]

    async def finish(self, order_id: str, outcome: str) -> None:
        self.watches[order_id] = replace(self.watches[order_id], state=WatchState.DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum(w.state is not WatchState.DONE for w in self.watches.values())
