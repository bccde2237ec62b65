"""What the reversal process manager keeps per payment leaving Bahi (`PaymentWatch`), where: its
own PostgreSQL table (never a VPA's stream), and an in-memory fake with the same behaviour for
unit tests (one contract suite, tests/contracts/test_upi_payment_watch_contract.py).

A watch moves through stages: SWITCH (the switch's answer is due), REVERSAL (deemed: the
reversal is due), DONE. `save` writes a watch only when newer than the stored one (by the payer
VPA stream's version), so a redelivered event changes nothing; `advance` and `finish` move a
watch on only from the stage the manager acted on (compare and set), so a tick acting on a stale
read never undoes what an event taught the consumer meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import asyncpg


class Stage(StrEnum):
    SWITCH = "SWITCH"
    REVERSAL = "REVERSAL"
    DONE = "DONE"


@dataclass(frozen=True)
class PaymentWatch:
    vpa: str
    """The payer's VPA (the stream the payment is on, the commands' target)."""
    payment_id: str
    payee_vpa: str
    amount_paise: int
    stage: Stage
    due_at: datetime
    version: int
    """The payer VPA stream's version of the latest event seen about this payment."""
    reverse_by: datetime | None = None
    outcome: str | None = None


class PaymentWatchStore(Protocol):
    async def get(self, vpa: str, payment_id: str) -> PaymentWatch | None: ...

    async def save(self, watch: PaymentWatch) -> None:
        """Insert or replace, unless the stored watch has seen this version or a later one."""
        ...

    async def due(self, now: datetime, limit: int) -> list[PaymentWatch]:
        """The watches not DONE due by `now`: earliest first, then by VPA and payment id."""
        ...

    async def advance(self, vpa: str, payment_id: str, stage: Stage, to: Stage, due_at: datetime) -> bool:
        """Move the watch from `stage` to `to`, due at `due_at`; False if it was not at `stage`."""
        ...

    async def finish(self, vpa: str, payment_id: str, stage: Stage, outcome: str) -> bool:
        """Mark the watch DONE with `outcome`, if it is at `stage`."""
        ...

    async def waiting(self) -> dict[str, int]:
        """How many watches wait at each stage (SWITCH, REVERSAL)."""
        ...


TABLE = "saga_upi_payment_reversal"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    vpa          text NOT NULL,
    payment_id   text NOT NULL,
    payee_vpa    text NOT NULL,
    amount_paise bigint NOT NULL,
    stage        text NOT NULL,
    due_at       timestamptz NOT NULL,
    version      bigint NOT NULL,
    reverse_by   timestamptz,
    outcome      text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vpa, payment_id)
);
CREATE INDEX IF NOT EXISTS {TABLE}_due ON {TABLE} (due_at, vpa, payment_id) WHERE stage <> 'DONE';
"""
SCHEMA_LOCK = 7140009
"""Serialises concurrent starters' CREATE statements (banking's settlement is 7140008)."""


def _watch(row: asyncpg.Record) -> PaymentWatch:
    return PaymentWatch(
        row["vpa"],
        row["payment_id"],
        row["payee_vpa"],
        row["amount_paise"],
        Stage(row["stage"]),
        row["due_at"],
        row["version"],
        row["reverse_by"],
        row["outcome"],
    )


class PostgresPaymentWatchStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await conn.execute(SCHEMA)

    async def get(self, vpa: str, payment_id: str) -> PaymentWatch | None:
        row = await self._pool.fetchrow(f"SELECT * FROM {TABLE} WHERE vpa = $1 AND payment_id = $2", vpa, payment_id)
        return _watch(row) if row else None

    async def save(self, watch: PaymentWatch) -> None:
        w = watch
        await self._pool.execute(
            f"""INSERT INTO {TABLE} (vpa, payment_id, payee_vpa, amount_paise, stage, due_at, version, reverse_by,
                   outcome)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (vpa, payment_id) DO UPDATE SET stage = excluded.stage, due_at = excluded.due_at,
                   version = excluded.version, reverse_by = excluded.reverse_by, outcome = excluded.outcome,
                   updated_at = now()
               WHERE {TABLE}.version < excluded.version""",
            *(w.vpa, w.payment_id, w.payee_vpa, w.amount_paise, w.stage.value, w.due_at, w.version),
            *(w.reverse_by, w.outcome),
        )

    async def due(self, now: datetime, limit: int) -> list[PaymentWatch]:
        rows = await self._pool.fetch(
            f"""SELECT * FROM {TABLE} WHERE stage <> 'DONE' AND due_at <= $1
                ORDER BY due_at, vpa, payment_id LIMIT $2""",
            now,
            limit,
        )
        return [_watch(row) for row in rows]

    async def advance(self, vpa: str, payment_id: str, stage: Stage, to: Stage, due_at: datetime) -> bool:
        status = await self._pool.execute(
            f"""UPDATE {TABLE} SET stage = $4, due_at = $5, updated_at = now()
                WHERE vpa = $1 AND payment_id = $2 AND stage = $3""",
            *(vpa, payment_id, stage.value, to.value, due_at),
        )
        return bool(status.endswith(" 1"))

    async def finish(self, vpa: str, payment_id: str, stage: Stage, outcome: str) -> bool:
        status = await self._pool.execute(
            f"""UPDATE {TABLE} SET stage = 'DONE', outcome = $4, updated_at = now()
                WHERE vpa = $1 AND payment_id = $2 AND stage = $3""",
            *(vpa, payment_id, stage.value, outcome),
        )
        return bool(status.endswith(" 1"))

    async def waiting(self) -> dict[str, int]:
        rows = await self._pool.fetch(f"SELECT stage, count(*) AS n FROM {TABLE} WHERE stage <> 'DONE' GROUP BY 1")
        found = {row["stage"]: int(row["n"]) for row in rows}
        return {stage.value: found.get(stage.value, 0) for stage in (Stage.SWITCH, Stage.REVERSAL)}


class InMemoryPaymentWatchStore:
    def __init__(self) -> None:
        self.watches: dict[tuple[str, str], PaymentWatch] = {}

    async def get(self, vpa: str, payment_id: str) -> PaymentWatch | None:
        return self.watches.get((vpa, payment_id))

    async def save(self, watch: PaymentWatch) -> None:
        key = (watch.vpa, watch.payment_id)
        current = self.watches.get(key)
        if current is None or current.version < watch.version:
            self.watches[key] = watch

    async def due(self, now: datetime, limit: int) -> list[PaymentWatch]:
        due = [w for w in self.watches.values() if w.stage is not Stage.DONE and w.due_at <= now]
        return sorted(due, key=lambda w: (w.due_at, w.vpa, w.payment_id))[:limit]

    async def advance(self, vpa: str, payment_id: str, stage: Stage, to: Stage, due_at: datetime) -> bool:
        current = self.watches.get((vpa, payment_id))
        if current is None or current.stage is not stage:
            return False
        self.watches[vpa, payment_id] = replace(current, stage=to, due_at=due_at)
        return True

    async def finish(self, vpa: str, payment_id: str, stage: Stage, outcome: str) -> bool:
        current = self.watches.get((vpa, payment_id))
        if current is None or current.stage is not stage:
            return False
        self.watches[vpa, payment_id] = replace(current, stage=Stage.DONE, outcome=outcome)
        return True

    async def waiting(self) -> dict[str, int]:
        stages = [w.stage for w in self.watches.values()]
        return {stage.value: stages.count(stage) for stage in (Stage.SWITCH, Stage.REVERSAL)}
