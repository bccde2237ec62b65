"""Long-lived wallets load from a snapshot (every `snapshot_every_wallet` events) plus later
events, and the snapshot's state is exactly the replayed one (movement ids included)."""

from __future__ import annotations

from typing import Any

from command_service.handling import AggregateType
from command_service.handling.loading import load
from command_service.wallets import domain
from command_service.wallets.settings import WalletSettings
from tests.support.wallets import WalletWorld, registry


def wallet_kind(**settings: Any) -> AggregateType[Any]:
    context = {**registry().settings(), "wallets": WalletSettings(**settings)}
    [kind] = [k for k in registry().aggregates(context) if k.stream_type == domain.STREAM_TYPE]
    return kind


def test_the_snapshot_policy_comes_from_the_settings() -> None:
    assert wallet_kind().snapshot_every == 100
    assert wallet_kind(snapshot_every_wallet=0).snapshot_every == 0


async def test_a_cold_load_saves_a_snapshot_and_later_loads_start_from_it() -> None:
    world = WalletWorld(settings={"snapshot_every_wallet": 5})
    wallet_id = await world.open()
    for n in range(12):
        await world.top_up(wallet_id, 100, topup_id=f"t-{n}")
        await world.pay(wallet_id, 40, payment_id=f"p-{n}", hold=n % 2 == 0)
    kind, initial = wallet_kind(snapshot_every_wallet=5), domain.Wallet(wallet_id=wallet_id)
    # A cold load (a restarted service: the loader's cache is empty) folds 25 events and saves a snapshot.
    state, version = await load(world.store, kind, wallet_id, initial)
    snapshot = await world.store.latest_snapshot(wallet_id)
    assert snapshot is not None and (snapshot.stream_type, snapshot.version) == ("wallet", version) == ("wallet", 25)
    assert kind.restore(snapshot.state) == state == domain.fold(initial, await world.events(wallet_id))
    assert len(state.payments) == 12 and state.held_paise == 6 * 40
    await world.top_up(wallet_id, 100, topup_id="t-12")
    later, _ = await load(world.store, kind, wallet_id, initial)  # the snapshot plus one event
    assert later == domain.fold(initial, await world.events(wallet_id))


async def test_movement_ids_are_not_in_the_snapshot_and_still_recognised() -> None:
    """A long-lived wallet's snapshot does not grow with its movement ids (the dispatcher records
    them in the store): a replay after a restart is still answered with the first result."""
    world = WalletWorld(settings={"snapshot_every_wallet": 5})
    wallet_id = await world.open()
    first = await world.top_up(wallet_id, 100, topup_id="t-0")
    for n in range(1, 40):
        await world.top_up(wallet_id, 100, topup_id=f"t-{n}")
    kind, initial = wallet_kind(snapshot_every_wallet=5), domain.Wallet(wallet_id=wallet_id)
    await load(world.store, kind, wallet_id, initial)
    snapshot = await world.store.latest_snapshot(wallet_id)
    assert snapshot is not None and "t-0" not in str(snapshot.state) and "t-39" not in str(snapshot.state)
    count = await world.event_count()
    restarted = WalletWorld(store=world.store, clock=world.clock)  # a new dispatcher and loader cache
    again = await restarted.top_up(wallet_id, 100, topup_id="t-0")
    assert again.replayed and again.response == first.response and again.token == first.token
    assert await world.event_count() == count
