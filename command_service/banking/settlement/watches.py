"""What the settlement process manager keeps per external transfer (`TransferWatch`), where: its
own PostgreSQL table (never an account's stream), and an in-memory fake with the same behaviour
for unit tests (one contract suite, tests/contracts/test_transfer_watch_contract.py), both the
generic watch table of `command_service.sagas.watches`.

A watch is saved only when newer than the stored one (by the account stream's version), so a
redelivered event changes nothing; `finish` marks it done with what settled it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import asyncpg

from command_service.sagas.watches import DONE, InMemoryWatches, PostgresWatches, WatchTable
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


TABLE: WatchTable[TransferWatch] = WatchTable(
    "saga_bank_transfer_settlement", TransferWatch, ("account_id", "transfer_id"), lock=7140008
)
"""Its advisory lock: the wallets' tables have 7140006 and 7140007, upi's reversal 7140009."""


class PostgresTransferWatchStore(PostgresWatches[TransferWatch]):
    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, TABLE)

    async def finish(self, account_id: str, transfer_id: str, outcome: str) -> None:
        await self.move((account_id, transfer_id), DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum((await self.count_waiting()).values())


class InMemoryTransferWatchStore(InMemoryWatches[TransferWatch]):
    def __init__(self) -> None:
        super().__init__(TABLE)

    async def finish(self, account_id: str, transfer_id: str, outcome: str) -> None:
        await self.move((account_id, transfer_id), DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum((await self.count_waiting()).values())
