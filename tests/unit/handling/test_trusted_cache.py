"""The dispatcher decides on this process's cached state without reading the stream, and lets
that decision stand only when its append verifies every stream so read; a refusal or a decision
the append would not check is decided again on the stream as stored."""

from __future__ import annotations

from typing import Any

import pytest

from command_service.event_store import AppendStream
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import new_events
from command_service.wallets import commands as c
from command_service.wallets import domain
from shared.envelope import EventMetadata
from shared.wallets.events import WalletToppedUp
from shared.wallets.streams import WALLET
from shared.wallets.values import KycLevel, TopupSource
from tests.support.wallets import WalletWorld, rupees


class Recording(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, int]] = []

    async def read_stream(self, stream_id: str, from_version: int = 1, **bounds: Any):  # type: ignore[no-untyped-def]
        self.reads.append((stream_id, from_version))
        return await super().read_stream(stream_id, from_version, **bounds)


async def elsewhere_top_up(store: InMemoryEventStore, wallet_id: str, version: int, paise: int, balance: int) -> None:
    """Another command-service process's top-up: appended past this dispatcher and its cache."""
    event = WalletToppedUp(
        wallet_id=wallet_id,
        topup_id="t-elsewhere",
        amount_paise=paise,
        source=TopupSource.UPI,
        reference="r",
        balance_after_paise=balance,
        occurred_at=WalletWorld().clock.now,
    )
    stream = AppendStream(WALLET.stream_id(wallet_id), WALLET.name, version, new_events([event], EventMetadata()))
    await store.append([stream])


async def test_a_refusal_on_cached_state_is_decided_again_on_the_stream_as_stored() -> None:
    store = Recording()
    world = WalletWorld(store=store)
    wallet_id = await world.open("cust-1", KycLevel.FULL)
    await world.top_up(wallet_id, rupees(10), topup_id="t-1")  # cached at version 2 (opened, topped up)
    await elsewhere_top_up(store, wallet_id, 2, rupees(990), rupees(1_000))
    store.reads.clear()
    paid = await world.pay(wallet_id, rupees(500), payment_id="p-1")  # the cache says ₹10: a refusal, unread
    assert paid.response["balance_paise"] == rupees(500)
    assert store.reads == [(WALLET.stream_id(wallet_id), 3)]  # read once, what it had missed


async def test_a_decision_on_current_cached_state_reads_nothing() -> None:
    store = Recording()
    world = WalletWorld(store=store)
    wallet_id = await world.open("cust-1", KycLevel.FULL)
    receiver = await world.open("cust-2", KycLevel.FULL)
    await world.top_up(wallet_id, rupees(100), topup_id="t-1")
    await world.top_up(receiver, rupees(1), topup_id="t-2")
    store.reads.clear()
    for n in range(5):
        await world.run(c.TransferFromWallet(transfer_id=f"x-{n}", to_wallet_id=receiver, amount_paise=100), wallet_id)
    assert store.reads == []  # both wallets were current in the cache, and every append verified them
    events = await world.events(wallet_id)
    assert domain.fold(domain.Wallet(), events).balance_paise == rupees(100) - 500


async def test_a_stale_cached_state_conflicts_and_the_retry_reads_it() -> None:
    store = Recording()
    world = WalletWorld(store=store, max_attempts=2)
    wallet_id = await world.open("cust-1", KycLevel.FULL)
    await world.top_up(wallet_id, rupees(10), topup_id="t-1")
    await elsewhere_top_up(store, wallet_id, 2, rupees(5), rupees(15))
    store.reads.clear()
    paid = await world.pay(wallet_id, rupees(12), payment_id="p-1")  # passes on the cache too: the append conflicts
    assert paid.response["balance_paise"] == rupees(3)
    assert store.reads == [(WALLET.stream_id(wallet_id), 3)]
    with pytest.raises(domain.PolicyRefusedError):
        await world.pay(wallet_id, rupees(4), payment_id="p-2")
