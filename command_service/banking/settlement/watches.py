"""What the settlement process manager keeps per external transfer (`TransferWatch`), where: its
own PostgreSQL table (never an account's stream), and an in-memory fake with the same behaviour
for unit tests (one contract suite, tests/contracts/test_transfer_watch_contract.py).

A watch is saved only when newer than the stored one (by the account stream's version), so a
redelivered event changes nothing; `finish` marks it done with what settled it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import asyncpg

from shared.banking.values import Rail


class WatchState(StrEnum):
    WAITING = "WAITING"
    DONE = "DONE"


@dataclass(frozen=True)
class TransferWatch:
    account_id: str
    transfer_id: str
    rail: Rail
    to_account_number: str
    to_ifsc: str
    amount_paise: int
    due_at: datetime
    batch_id: str | None
    state: WatchState
    version: int
    """The account stream's version of the latest event seen about this transfer."""
    outcome: str | None = None


class TransferWatchStore(Protocol):
    async def get(self, account_id: str, transfer_id: str) -> TransferWatch | None: ...

    async def save(self, watch: TransferWatch) -> None:
        """Insert or replace, unless the stored watch has seen this version or a later one."""
        ...

    async def due(self, now: datetime, limit: int) -> list[TransferWatch]:
        """The waiting watches due by `now`: earliest first, then by account and transfer id."""
        ...

    async def finish(self, account_id: str, transfer_id: str, outcome: str) -> None: ...

    async def waiting(self) -> int: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_bank_transfer_settlement (
    account_id        text NOT NULL,
    transfer_id       text NOT NULL,
    rail              text NOT NULL,
    to_account_number text NOT NULL,
    to_ifsc           text NOT NULL,
    amount_paise      bigint NOT NULL,
    due_at            timestamptz NOT NULL,
    batch_id          text,
    state             text NOT NULL,
    version           bigint NOT NULL,
    outcome           text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, transfer_id)
);
CREATE INDEX IF NOT EXISTS saga_bank_transfer_settlement_due
    ON saga_bank_transfer_settlement (due_at, account_id, transfer_id) WHERE state <> 'DONE';
"""
SCHEMA_LOCK = 7140008
"""Serialises concurrent starters' CREATE statements (the wallets' are 7140006 and 7140007)."""


def _watch(row: asyncpg.Record) -> TransferWatch:
    return TransferWatch(
        row["account_id"],
        row["transfer_id"],
        Rail(row["rail"]),
        row["to_account_number"],
        row["to_ifsc"],
        row["amount_paise"],
        row["due_at"],
        row["batch_id"],
        WatchState(row["state"]),
        row["version"],
        row["outcome"],
    )


class PostgresTransferWatchStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await conn.execute(SCHEMA)

    async def get(self, account_id: str, transfer_id: str) -> TransferWatch | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM saga_bank_transfer_settlement WHERE account_id = $1 AND transfer_id = $2",
            account_id,
            transfer_id,
        )
        return _watch(row) if row else None

    async def save(self, watch: TransferWatch) -> None:
        w = watch
        await self._pool.execute(
            """INSERT INTO saga_bank_transfer_settlement (account_id, transfer_id, rail, to_account_number, to_ifsc,
                   amount_paise, due_at, batch_id, state, version, outcome)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (account_id, transfer_id) DO UPDATE SET due_at = excluded.due_at,
                   batch_id = excluded.batch_id, state = excluded.state, version = excluded.version,
                   outcome = excluded.outcome, updated_at = now()
               WHERE saga_bank_transfer_settlement.version < excluded.version""",
            *(w.account_id, w.transfer_id, w.rail.value, w.to_account_number, w.to_ifsc, w.amount_paise),
            *(w.due_at, w.batch_id, w.state.value, w.version, w.outcome),
        )

    async def due(self, now: datetime, limit: int) -> list[TransferWatch]:
        rows = await self._pool.fetch(
            """SELECT * FROM saga_bank_transfer_settlement WHERE state <> 'DONE' AND due_at <= $1
               ORDER BY due_at, account_id, transfer_id LIMIT $2""",
            now,
            limit,
        )
        return [_watch(row) for row in rows]

    async def finish(self, account_id: str, transfer_id: str, outcome: str) -> None:
        await self._pool.execute(
            """UPDATE saga_bank_transfer_settlement SET state = 'DONE', outcome = $3, updated_at = now()
               WHERE account_id = $1 AND transfer_id = $2""",
            account_id,
            transfer_id,
            outcome,
        )

    async def waiting(self) -> int:
        return int(
            await self._pool.fetchval("SELECT count(*) FROM saga_bank_transfer_settlement WHERE state <> 'DONE'")
        )


class InMemoryTransferWatchStore:
    def __init__(self) -> None:
        self.watches: dict[tuple[str, str], TransferWatch] = {}

    async def get(self, account_id: str, transfer_id: str) -> TransferWatch | None:
        return self.watches.get((account_id, transfer_id))

    async def save(self, watch: TransferWatch) -> None:
        key = (watch.account_id, watch.transfer_id)
        current = self.watches.get(key)
        if current is None or current.version < watch.version:
            self.watches[key] = watch

    async def due(self, now: datetime, limit: int) -> list[TransferWatch]:
        due = [w for w in self.watches.values() if w.state is not WatchState.DONE and w.due_at <= now]
        return sorted(due, key=lambda w: (w.due_at, w.account_id, w.transfer_id))[:limit]

    async def finish(self, account_id: str, transfer_id: str, outcome: str) -> None:
        key = (account_id, transfer_id)
        if key in self.watches:
            self.watches[key] = replace(self.watches[key], state=WatchState.DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum(w.state is not WatchState.DONE for w in self.watches.values())
