"""Money is conserved across accounts, wallets and UPI (in-memory store; the same workload runs
against PostgreSQL in tests/integration/upi): many tasks at once send INTERNAL transfers between
accounts, P2P transfers between wallets and UPI payments between account- and wallet-linked VPAs
both ways. Afterwards the total over every account and wallet is what was deposited and topped
up, each stream's balance is its events' sum, and each accepted movement id is applied exactly
once (its events found once on each side); with payments leaving Bahi, the inside total plus
what the payees' psps were credited is what was funded."""

from __future__ import annotations

from tests.support.upi import UpiWorld, rupees
from tests.support.upi_workload import Workload, run_workload


async def test_totals_are_conserved_and_every_accepted_id_applied_once() -> None:
    world = UpiWorld(max_attempts=50)
    workload = await Workload.build(world, accounts=4, wallets=4, funds=rupees(50_000))
    world.clock.advance(days=2)  # past every VPA's first day
    accepted = await run_workload(world, workload, tasks=24, per_task=15, seed=7)
    assert min(workload.kinds[k] for k in ("internal", "p2p", "upi")) >= 20, workload.kinds
    await workload.check(world, accepted)


async def test_with_payments_leaving_bahi_inside_balances_plus_remote_credits_are_the_funds() -> None:
    """Payments to other psps' VPAs too, the reversal process manager running meanwhile: what the
    switch credited left Bahi, everything declined or unanswered came back to its payer once."""
    world = UpiWorld(max_attempts=50)
    workload = await Workload.build(world, accounts=4, wallets=4, funds=rupees(50_000))
    world.clock.advance(days=2)
    accepted = await run_workload(world, workload, tasks=24, per_task=15, seed=5, outbound=True)
    assert min(workload.kinds[k] for k in ("internal", "p2p", "upi", "outbound")) >= 15, workload.kinds
    outbound = {t for k, *_, t in accepted if k == "outbound"}
    assert outbound == {"shop@okaxis", "shop.decline@okaxis", "ravi.timeout@ybl"}
    await workload.check(world, accepted)
