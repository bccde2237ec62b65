"""Where the hold-expiry manager keeps its watches: its own PostgreSQL table (never a wallet's
stream), and an in-memory fake with the same behaviour for unit tests (one contract suite,
tests/contracts/test_hold_watch_contract.py), both the generic watch table of
`command_service.sagas.watches`."""

from __future__ import annotations

import asyncpg

from command_service.sagas.watches import DONE, InMemoryWatches, PostgresWatches, WatchTable
from command_service.wallets.hold_expiry.manager import HoldWatch

TABLE: WatchTable[HoldWatch] = WatchTable(
    "saga_wallet_hold_watch", HoldWatch, ("wallet_id", "payment_id"), lock=7140006, due="deadline"
)
"""Its advisory lock: the payment saga's table has 7140005, the wallets' order payments 7140007."""


class PostgresHoldWatchStore(PostgresWatches[HoldWatch]):
    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, TABLE)

    async def finish(self, wallet_id: str, payment_id: str, outcome: str) -> None:
        await self.move((wallet_id, payment_id), DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum((await self.count_waiting()).values())


class InMemoryHoldWatchStore(InMemoryWatches[HoldWatch]):
    def __init__(self) -> None:
        super().__init__(TABLE)

    async def finish(self, wallet_id: str, payment_id: str, outcome: str) -> None:
        await self.move((wallet_id, payment_id), DONE, outcome=outcome)

    async def waiting(self) -> int:
        return sum((await self.count_waiting()).values())
