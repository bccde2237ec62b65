"""What the reversal process manager keeps per payment leaving Bahi (`PaymentWatch`), where: its
own PostgreSQL table (never a VPA's stream), and an in-memory fake with the same behaviour for
unit tests (one contract suite, tests/contracts/test_upi_payment_watch_contract.py), both the
generic watch table of `command_service.sagas.watches`.

A watch moves through stages: SWITCH (the switch's answer is due), REVERSAL (deemed: the
reversal is due), DONE. `save` writes a watch only when newer than the stored one (by the payer
VPA stream's version), so a redelivered event changes nothing; `advance` and `finish` move a
watch on only from the stage the manager acted on (compare and set), so a tick acting on a stale
read never undoes what an event taught the consumer meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import asyncpg

from command_service.sagas.watches import InMemoryWatches, PostgresWatches, WatchTable


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


TABLE: WatchTable[PaymentWatch] = WatchTable(
    "saga_upi_payment_reversal", PaymentWatch, ("vpa", "payment_id"), lock=7140009, stage="stage"
)
"""Its advisory lock: banking's settlement table has 7140008."""
WAITING = (Stage.SWITCH, Stage.REVERSAL)


class _Movable(Protocol):
    async def move(
        self,
        key: tuple[str, str],
        to: str,
        *,
        expected: str | None = None,
        due_at: datetime | None = None,
        outcome: str | None = None,
    ) -> bool: ...

    async def count_waiting(self) -> dict[str, int]: ...


class _Stages:
    """advance/finish/waiting in the manager's terms, on the generic table's `move`."""

    async def advance(self: _Movable, vpa: str, payment_id: str, stage: Stage, to: Stage, due_at: datetime) -> bool:
        return await self.move((vpa, payment_id), to.value, expected=stage.value, due_at=due_at)

    async def finish(self: _Movable, vpa: str, payment_id: str, stage: Stage, outcome: str) -> bool:
        return await self.move((vpa, payment_id), Stage.DONE.value, expected=stage.value, outcome=outcome)

    async def waiting(self: _Movable) -> dict[str, int]:
        counts = await self.count_waiting()
        return {stage.value: counts.get(stage.value, 0) for stage in WAITING}


class PostgresPaymentWatchStore(PostgresWatches[PaymentWatch], _Stages):
    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, TABLE)


class InMemoryPaymentWatchStore(InMemoryWatches[PaymentWatch], _Stages):
    def __init__(self) -> None:
        super().__init__(TABLE)
