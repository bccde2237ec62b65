"""The hold-expiry process manager with in-memory stores: releases an uncaptured hold once its
deadline passes, exactly once — across redeliveries, restarts, a crash between expiring and
recording it, and a wallet that moved on since the manager last looked."""

from __future__ import annotations

from datetime import timedelta

from command_service.wallets import commands as c
from command_service.wallets.hold_expiry import HoldWatch, InMemoryHoldWatchStore, WatchState, react
from shared.events import parse_event
from shared.wallets.events import WalletHoldExpired
from tests.support.wallets import T0, Clock, WalletWorld, new_id, rupees
from tests.unit.wallets_pm.feed import TIMEOUT, Feed, hold_expiry


async def held(world: WalletWorld, *payment_ids: str) -> str:
    """A wallet with ₹1,000 and a hold of ₹100 for each payment id."""
    wallet_id = await world.open()
    await world.top_up(wallet_id, rupees(1_000))
    for payment_id in payment_ids or ("p-1",):
        await world.pay(wallet_id, rupees(100), payment_id=payment_id, hold=True)
    return wallet_id


async def count(world: WalletWorld, wallet_id: str, event_type: str) -> int:
    return [e.event_type for e in await world.store.read_stream(wallet_id)].count(event_type)


async def available(world: WalletWorld, wallet_id: str) -> int:
    answer = await world.top_up(wallet_id, 1, topup_id=new_id("probe-"))  # the answer names the balances
    return int(answer.response["available_paise"]) - 1


async def test_an_uncaptured_hold_is_released_once_after_its_deadline_even_across_restarts() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    watches = InMemoryHoldWatchStore()
    manager = hold_expiry(world, watches)
    feed = Feed(world, [manager])
    await feed.pump()
    assert await manager.status() == {"watching": 1, "hold_timeout_seconds": 600.0}
    world.clock.now = T0 + TIMEOUT - timedelta(microseconds=1)
    assert await manager.tick() == 0  # not yet
    world.clock.now = T0 + TIMEOUT
    assert await manager.tick() == 1
    assert await count(world, wallet_id, "WalletHoldExpired") == 1
    expired = (await world.store.read_stream(wallet_id))[-1]
    assert expired.metadata.actor == "saga:wallet_hold_expiry"
    event = parse_event(expired.event_type, expired.schema_version, expired.data)
    assert isinstance(event, WalletHoldExpired) and event.expired_at == T0 + TIMEOUT

    restarted = hold_expiry(world, watches)  # same table, every event delivered again
    await feed.redeliver([restarted])
    assert await restarted.tick() == 0
    assert await count(world, wallet_id, "WalletHoldExpired") == 1
    assert await available(world, wallet_id) == rupees(1_000)
    assert await restarted.status() == {"watching": 0, "hold_timeout_seconds": 600.0}


async def test_a_crash_between_expiring_and_recording_it_expires_only_once() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    watches = InMemoryHoldWatchStore()
    await Feed(world, [hold_expiry(world, watches)]).pump()
    world.clock.now = T0 + TIMEOUT
    lost = dict(watches.watches)  # the table as it was before the tick...
    assert await hold_expiry(world, watches).tick() == 1
    watches.watches = lost  # ...because the crash lost the "done" mark
    assert await hold_expiry(world, watches).tick() == 1  # the same key: the first answer, nothing appended
    assert await count(world, wallet_id, "WalletHoldExpired") == 1
    [watch] = watches.watches.values()
    assert watch.state is WatchState.DONE and watch.outcome == "EXPIRED"


async def test_a_captured_or_voided_hold_is_left_alone() -> None:
    world = WalletWorld()
    wallet_id = await held(world, "p-1", "p-2")
    await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)
    await world.run(c.VoidHold(payment_id="p-2"), wallet_id)
    watches = InMemoryHoldWatchStore()
    manager = hold_expiry(world, watches)
    await Feed(world, [manager]).pump()
    assert {w.outcome for w in watches.watches.values()} == {"WalletHoldCaptured", "WalletHoldVoided"}
    world.clock.now = T0 + 2 * TIMEOUT
    assert await manager.tick() == 0
    assert await count(world, wallet_id, "WalletHoldExpired") == 0


async def test_a_capture_the_manager_has_not_seen_yet_is_caught_up_from_the_store() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    watches = InMemoryHoldWatchStore()
    manager = hold_expiry(world, watches)
    await Feed(world, [manager]).pump()  # the manager saw the hold placed...
    world.clock.now = T0 + TIMEOUT - timedelta(seconds=1)
    await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)  # ...not its capture at the last moment
    world.clock.now = T0 + TIMEOUT
    assert await manager.tick() == 1  # If-Match refused the expiry; the store says it was captured
    assert await count(world, wallet_id, "WalletHoldExpired") == 0
    [watch] = watches.watches.values()
    assert (watch.state, watch.outcome, watch.version) == (WatchState.DONE, "WalletHoldCaptured", 4)


async def test_a_wallet_that_moved_on_is_caught_up_and_its_hold_expired_once() -> None:
    world = WalletWorld()
    wallet_id = await held(world, "p-1", "p-2")
    watches = InMemoryHoldWatchStore()
    manager = hold_expiry(world, watches)
    feed = Feed(world, [manager])
    await feed.pump()
    await world.top_up(wallet_id, rupees(50))  # unseen by the manager: its If-Match is stale
    await world.run(c.CaptureHold(payment_id="p-2"), wallet_id)
    world.clock.now = T0 + TIMEOUT
    assert await manager.tick() == 2  # p-1 expired after catching up; p-2 found captured
    assert await count(world, wallet_id, "WalletHoldExpired") == 1
    await feed.pump()  # the events arrive late: nothing changes
    assert await manager.tick() == 0
    assert await available(world, wallet_id) == rupees(1_000 + 50 - 100)


async def test_an_expiry_that_decides_nothing_settles_the_watch() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    await world.run(c.VoidHold(payment_id="p-1"), wallet_id)
    watches = InMemoryHoldWatchStore()
    # A watch that has seen the wallet's latest version yet still waits (a table restored from a backup).
    await watches.save(HoldWatch(wallet_id, "p-1", T0 + TIMEOUT, WatchState.WAITING, 4))
    world.clock.now = T0 + TIMEOUT
    assert await hold_expiry(world, watches).tick() == 1
    assert watches.watches[(wallet_id, "p-1")].outcome == "NOT_NEEDED: VOIDED"
    assert await count(world, wallet_id, "WalletHoldExpired") == 0


async def test_a_hold_not_due_by_the_handlers_clock_is_tried_again() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    ahead = Clock(T0 + TIMEOUT)  # the manager's clock runs ahead of the command handlers'
    watches = InMemoryHoldWatchStore()
    manager = hold_expiry(world, watches, ahead)
    await Feed(world, [manager]).pump()
    assert await manager.tick() == 0  # HoldNotDueError: not settled
    assert await manager.status() == {"watching": 1, "hold_timeout_seconds": 600.0}
    world.clock.now = T0 + TIMEOUT
    assert await manager.tick() == 1
    assert await count(world, wallet_id, "WalletHoldExpired") == 1


async def test_react_ignores_redeliveries_and_other_payments() -> None:
    world = WalletWorld()
    wallet_id = await held(world, "p-1", "p-2")
    await world.run(c.CaptureHold(payment_id="p-2"), wallet_id)
    envs = await world.store.read_stream(wallet_id)
    placed, captured_other = envs[2], envs[-1]
    event = parse_event(placed.event_type, placed.schema_version, placed.data)
    watch = react(None, event, placed.version)
    assert watch is not None and watch.state is WatchState.WAITING and watch.deadline == T0 + TIMEOUT
    assert react(watch, event, placed.version) is None
    other = parse_event(captured_other.event_type, captured_other.schema_version, captured_other.data)
    assert react(watch, other, captured_other.version) is None  # p-2's capture is not p-1's
