"""The settlement process manager with in-memory stores and a clock the test moves: IMPS and
RTGS settle as soon as their event arrives, NEFT waits for its half-hourly batch (counted from
00:00 IST); a transfer to an account number ending in 000 is returned and credited back with its
reason; each exactly once, across redeliveries, restarts and a crash between settling a
transfer and recording it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from command_service.banking.settlement import (
    ACTOR,
    InMemoryTransferWatchStore,
    TransferSettlement,
    WatchState,
    batch_seconds,
    clear,
    due,
)
from shared.banking.values import Outcome, Rail
from shared.envelope import EventEnvelope
from tests.support.banking import OTHER_IFSC, BankWorld, Clock, rupees

IST_1007 = datetime(2026, 11, 2, 4, 37, tzinfo=UTC)  # 10:07 IST
RETURNED = "50100000000000"


def manager(world: BankWorld, watches: InMemoryTransferWatchStore) -> TransferSettlement:
    return TransferSettlement(watches, world.dispatch, world.clock, batch_seconds=batch_seconds(0))


class Feed:
    """The account topic as the manager's consumer sees it: every event once, in commit order
    (those the manager's own commands append included), or everything again (a redelivery)."""

    def __init__(self, world: BankWorld) -> None:
        self.world = world
        self.delivered: set[int] = set()

    async def pump(self, settlement: TransferSettlement) -> None:
        while fresh := [e for e in await self._events() if e.position not in self.delivered]:
            for env in fresh:
                self.delivered.add(env.position)
                await settlement.handle(env)

    async def redeliver(self, settlement: TransferSettlement) -> None:
        self.delivered.clear()
        await self.pump(settlement)

    async def _events(self) -> list[EventEnvelope]:
        return [e for e in await self.world.store.read_all(0, 100_000) if e.stream_type == "bank_account"]


async def funded(world: BankWorld) -> str:
    account_id = await world.open()
    await world.deposit(account_id, rupees(10_00_000))
    return account_id


async def types(world: BankWorld, account_id: str) -> list[str]:
    return [e.event_type for e in await world.store.read_stream(account_id)]


def test_neft_goes_in_the_next_half_hourly_batch_counted_from_midnight_ist() -> None:
    at, batch = due(Rail.NEFT, IST_1007, 1800)
    assert at == datetime(2026, 11, 2, 5, 0, tzinfo=UTC) and batch == "NEFT-20261102T103000IST"
    on_the_dot = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # 10:30:00 IST: the next batch, 11:00
    assert due(Rail.NEFT, on_the_dot, 1800)[0] == datetime(2026, 11, 2, 5, 30, tzinfo=UTC)
    late = datetime(2026, 11, 2, 18, 15, tzinfo=UTC)  # 23:45 IST: the midnight batch, the next IST day
    assert due(Rail.NEFT, late, 1800)[1] == "NEFT-20261103T000000IST"
    assert due(Rail.IMPS, IST_1007, 1800) == (IST_1007, None) == due(Rail.RTGS, IST_1007, 1800)


def test_the_clearing_returns_an_account_number_ending_in_000_and_settles_the_rest() -> None:
    outcome, reason = clear(RETURNED, OTHER_IFSC)
    assert outcome is Outcome.RETURNED and reason is not None and reason.startswith("ACCOUNT_DOES_NOT_EXIST")
    assert clear("50100000000001", OTHER_IFSC) == (Outcome.SETTLED, None)
    assert clear("50100000001000", OTHER_IFSC)[0] is Outcome.RETURNED


async def test_imps_and_rtgs_settle_at_once_and_neft_waits_for_its_batch() -> None:
    world = BankWorld(clock=Clock(IST_1007))
    account_id = await funded(world)
    imps = await world.transfer(account_id, rupees(10_000), "IMPS")
    neft = await world.transfer(
        account_id, rupees(20_000), "NEFT", to_account_number="60200011112222", to_ifsc=OTHER_IFSC
    )
    watches = InMemoryTransferWatchStore()
    settlement, feed = manager(world, watches), Feed(world)
    await feed.pump(settlement)
    assert (await types(world, account_id))[-1] == "AccountTransferSettled"
    assert (await settlement.status())["waiting"] == 1
    assert await settlement.tick() == 0  # 10:07 IST: the 10:30 batch is not due
    world.clock.now = datetime(2026, 11, 2, 5, 0, tzinfo=UTC) - timedelta(microseconds=1)
    assert await settlement.tick() == 0
    world.clock.now = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
    assert await settlement.tick() == 1
    events = await world.store.read_stream(account_id)
    settled = [e for e in events if e.event_type == "AccountTransferSettled"]
    assert [e.data["transfer_id"] for e in settled] == [imps.response["transfer_id"], neft.response["transfer_id"]]
    assert settled[1].data["batch_id"] == "NEFT-20261102T103000IST" and settled[0].data["batch_id"] is None
    assert {e.metadata.actor for e in settled} == {ACTOR}
    assert (await settlement.status())["waiting"] == 0


async def test_a_returned_transfer_is_credited_back_once_with_its_reason_across_redeliveries() -> None:
    world = BankWorld(clock=Clock(IST_1007))
    account_id = await funded(world)
    await world.transfer(account_id, rupees(25_000), "NEFT", to_account_number=RETURNED, to_ifsc=OTHER_IFSC)
    watches = InMemoryTransferWatchStore()
    feed = Feed(world)
    await feed.pump(manager(world, watches))
    world.clock.now += timedelta(minutes=30)
    assert await manager(world, watches).tick() == 1
    restarted = manager(world, watches)
    await feed.redeliver(restarted)  # a restart before any offset was committed: everything again
    assert await restarted.tick() == 0
    events = await world.store.read_stream(account_id)
    returned = [e for e in events if e.event_type == "AccountTransferReturned"]
    assert len(returned) == 1 and returned[0].data["reason"].startswith("ACCOUNT_DOES_NOT_EXIST")
    assert returned[0].metadata.reason is not None and "returned" in returned[0].metadata.reason
    assert returned[0].data["balance_after_paise"] == rupees(10_00_000)
    [watch] = watches.watches.values()
    assert watch.state is WatchState.DONE and watch.outcome == "RETURNED"


async def test_a_crash_between_settling_and_recording_it_settles_only_once() -> None:
    world = BankWorld(clock=Clock(IST_1007))
    account_id = await funded(world)
    for n in range(3):
        to = RETURNED if n == 1 else f"6020001111{n}234"
        await world.transfer(account_id, rupees(1_000), "NEFT", to_account_number=to, to_ifsc=OTHER_IFSC)
    watches = InMemoryTransferWatchStore()
    await Feed(world).pump(manager(world, watches))
    world.clock.now += timedelta(minutes=30)
    lost = dict(watches.watches)  # the table as it was before the batch...
    assert await manager(world, watches).tick() == 3
    watches.watches = lost  # ...because a SIGKILL lost the "done" marks
    assert await manager(world, watches).tick() == 3  # the same keys: the first answers, nothing appended
    kinds = await types(world, account_id)
    assert kinds.count("AccountTransferSettled") == 2 and kinds.count("AccountTransferReturned") == 1
    assert all(w.state is WatchState.DONE for w in watches.watches.values())
    answer = await world.deposit(account_id, 1)
    assert answer.response["balance_paise"] == rupees(10_00_000) - rupees(2_000) + 1
