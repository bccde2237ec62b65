"""Money is conserved across accounts, wallets and UPI on PostgreSQL: the command service's own
dispatcher over the real event store (group commit, row locks, real concurrency conflicts), many
tasks at once sending INTERNAL transfers, wallet P2P transfers and UPI payments between account-
and wallet-linked VPAs. Afterwards the totals over every account and wallet are what was funded,
and each accepted movement id is found exactly once on each of its sides and nowhere else. Payments
leaving Bahi run too, with the reversal process manager deciding beside the clients: the inside
total plus what the payees' psps were credited is what was funded, and each declined or
unanswered one is credited back to its payer exactly once."""

from __future__ import annotations

import asyncpg
import pytest

from command_service.event_store.postgres import PostgresEventStore
from tests.support.upi import UpiWorld, rupees
from tests.support.upi_workload import Workload, run_workload

pytestmark = [pytest.mark.integration]


async def test_totals_are_conserved_and_every_accepted_id_applied_once(pg_pool: asyncpg.Pool) -> None:
    world = UpiWorld(store=PostgresEventStore(pg_pool), max_attempts=50)
    workload = await Workload.build(world, accounts=4, wallets=4, funds=rupees(50_000))
    world.clock.advance(days=2)  # past every VPA's first day
    accepted = await run_workload(world, workload, tasks=24, per_task=12, seed=11, outbound=True)
    assert min(workload.kinds[k] for k in ("internal", "p2p", "upi", "outbound")) >= 10, workload.kinds
    await workload.check(world, accepted)
