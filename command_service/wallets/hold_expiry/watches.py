"""Where the hold-expiry manager keeps its watches: its own PostgreSQL table (never a wallet's
stream), and an in-memory fake with the same behaviour for unit tests (one contract suite,
tests/contracts/test_hold_watch_contract.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import asyncpg

from command_service.wallets.hold_expiry.manager import HoldWatch, WatchState

SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_wallet_hold_watch (
    wallet_id  text NOT NULL,
    payment_id text NOT NULL,
    deadline   timestamptz NOT NULL,
    state      text NOT NULL,
    version    bigint NOT NULL,
    outcome    text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wallet_id, payment_id)
);
CREATE INDEX IF NOT EXISTS saga_wallet_hold_watch_due ON saga_wallet_hold_watch (deadline) WHERE state <> 'DONE';
"""
SCHEMA_LOCK = 7140006
"""Serialises concurrent starters' CREATE statements (the payment saga's is 7140005)."""


def _watch(row: asyncpg.Record) -> HoldWatch:
    return HoldWatch(
        row["wallet_id"],
        row["payment_id"],
        row["deadline"],
        WatchState(row["state"]),
        row["version"],
        row["outcome"],
    )


class PostgresHoldWatchStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await conn.execute(SCHEMA)

    async def get(self, wallet_id: str, payment_id: str) -> HoldWatch | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM saga_wallet_hold_watch WHERE wallet_id = $1 AND payment_id = $2", wallet_id, payment_id
        )
        return _watch(row) if row else None

    async def save(self, watch: HoldWatch) -> None:
        await self._pool.execute(
            """INSERT INTO saga_wallet_hold_watch (wallet_id, payment_id, deadline, state, version, outcome)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (wallet_id, payment_id) DO UPDATE SET deadline = excluded.deadline,
                   state = excluded.state, version = excluded.version, outcome = excluded.outcome, updated_at = now()
               WHERE saga_wallet_hold_watch.version < excluded.version""",
            watch.wallet_id,
            watch.payment_id,
            watch.deadline,
            watch.state.value,
            watch.version,
            watch.outcome,
        )

    async def due(self, now: datetime, limit: int) -> list[HoldWatch]:
        rows = await self._pool.fetch(
            """SELECT * FROM saga_wallet_hold_watch WHERE state <> 'DONE' AND deadline <= $1
               ORDER BY deadline LIMIT $2""",
            now,
            limit,
        )
        return [_watch(row) for row in rows]

    async def finish(self, wallet_id: str, payment_id: str, outcome: str) -> None:
        await self._pool.execute(
            """UPDATE saga_wallet_hold_watch SET state = 'DONE', outcome = $3, updated_at = now()
               WHERE wallet_id = $1 AND payment_id = $2""",
            wallet_id,
            payment_id,
            outcome,
        )

    async def waiting(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM saga_wallet_hold_watch WHERE state <> 'DONE'"))


class InMemoryHoldWatchStore:
    def __init__(self) -> None:
        self.watches: dict[tuple[str, str], HoldWatch] = {}

    async def get(self, wallet_id: str, payment_id: str) -> HoldWatch | None:
        return self.watches.get((wallet_id, payment_id))

    async def save(self, watch: HoldWatch) -> None:
        key = (watch.wallet_id, watch.payment_id)
        current = self.watches.get(key)
        if current is None or current.version < watch.version:
            self.watches[key] = watch

    async def due(self, now: datetime, limit: int) -> list[HoldWatch]:
        due = [w for w in self.watches.values() if w.state is not WatchState.DONE and w.deadline <= now]
        return sorted(due, key=lambda w: w.deadline)[:limit]

    async def finish(self, wallet_id: str, payment_id: str, outcome: str) -> None:
        key = (wallet_id, payment_id)
        if key in self.watches:
            self.watches[key] = replace(self.watches[key], state=WatchState.DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum(w.state is not WatchState.DONE for w in self.watches.values())
