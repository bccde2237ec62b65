"""P2P transfers: the sender's and the receiver's events in ONE append (both or neither)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from command_service.event_store import ANY, AppendResult, AppendStream, Records
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import ConflictError, new_events
from command_service.wallets import commands as c
from command_service.wallets import domain
from shared.envelope import EventMetadata
from shared.wallets import policy as ppi
from shared.wallets.events import WalletTransferReceived, WalletTransferSent, WalletUnfrozen
from shared.wallets.values import KycLevel
from tests.support.wallets import T0, WalletWorld, new_id, rupees


async def two_wallets(world: WalletWorld) -> tuple[str, str]:
    sender = await world.open("cust-a", KycLevel.FULL)
    receiver = await world.open("cust-b", KycLevel.FULL)
    await world.top_up(sender, rupees(1_000))
    return sender, receiver


def send(receiver: str, paise: int, transfer_id: str = "tr-1", note: str | None = "rent") -> c.TransferFromWallet:
    return c.TransferFromWallet(transfer_id=transfer_id, to_wallet_id=receiver, amount_paise=paise, note=note)


async def test_both_sides_are_appended_together_at_consecutive_positions() -> None:
    world = WalletWorld()
    sender, receiver = await two_wallets(world)
    before = await world.event_count()
    outcome = await world.run(send(receiver, rupees(400)), sender)
    assert outcome.response["balance_paise"] == rupees(600) and outcome.response["to_wallet_id"] == receiver
    appended = (await world.store.read_all())[before:]
    assert [e.event_type for e in sorted(appended, key=lambda e: e.stream_id != sender)] == [
        "WalletTransferSent",
        "WalletTransferReceived",
    ]
    assert sorted(e.position for e in appended) == [before + 1, before + 2]
    assert len({e.recorded_at for e in appended}) == 1  # one transaction
    [*_, received] = await world.events(receiver)
    assert isinstance(received, WalletTransferReceived)
    assert (received.from_wallet_id, received.balance_after_paise) == (sender, rupees(400))


class InterleavingStore(InMemoryEventStore):
    """Lets another writer append to `stream_id` just before the next append that touches it."""

    def __init__(self) -> None:
        super().__init__()
        self.stream_id: str | None = None

    async def append(self, streams: Sequence[AppendStream], idempotency: Records = None) -> AppendResult:
        if self.stream_id and len(streams) > 1 and any(s.stream_id == self.stream_id for s in streams):
            event = WalletUnfrozen(wallet_id=self.stream_id, reason="meanwhile", balance_after_paise=0, occurred_at=T0)
            self.stream_id = None  # once
            await super().append([AppendStream(event.wallet_id, "wallet", ANY, new_events([event], EventMetadata()))])
        return await super().append(streams, idempotency)


async def test_a_conflict_on_the_receiver_leaves_neither_side_appended() -> None:
    store = InterleavingStore()
    world = WalletWorld(store=store, max_attempts=1)
    sender, receiver = await two_wallets(world)
    store.stream_id = receiver
    sender_before = await world.events(sender)
    with pytest.raises(ConflictError):
        await world.run(send(receiver, rupees(400)), sender)
    assert await world.events(sender) == sender_before
    assert not [e for e in await world.events(receiver) if isinstance(e, WalletTransferReceived)]


async def test_after_a_conflict_the_transfer_is_decided_again_and_lands_once() -> None:
    store = InterleavingStore()
    world = WalletWorld(store=store)
    sender, receiver = await two_wallets(world)
    store.stream_id = receiver
    await world.run(send(receiver, rupees(400)), sender)  # the first attempt conflicts, a retry lands
    assert [type(e) for e in await world.events(sender)].count(WalletTransferSent) == 1
    assert [type(e) for e in await world.events(receiver)].count(WalletTransferReceived) == 1


async def test_a_minimum_kyc_sender_is_refused_and_nothing_is_appended() -> None:
    world = WalletWorld()
    sender = await world.open("cust-a", KycLevel.MINIMUM)
    receiver = await world.open("cust-b", KycLevel.FULL)
    await world.top_up(sender, rupees(100))
    count = await world.event_count()
    with pytest.raises(domain.PolicyRefusedError) as caught:
        await world.run(send(receiver, 1), sender)
    assert caught.value.extra["rule"] == ppi.MIN_KYC_P2P_OUT and caught.value.extra["wallet_id"] == sender
    assert await world.event_count() == count


async def test_not_to_itself_nor_to_an_unknown_wallet() -> None:
    world = WalletWorld()
    sender, _ = await two_wallets(world)
    with pytest.raises(domain.InvalidMovementError) as itself:
        await world.run(send(sender, 1), sender)
    assert itself.value.status == 422 and itself.value.extra["field"] == "to_wallet_id"
    with pytest.raises(domain.WalletNotFoundError) as unknown:
        await world.run(send(new_id(), 1), sender)
    assert unknown.value.status == 404 and unknown.value.extra["field"] == "to_wallet_id"


async def test_a_closed_receiver_takes_no_credit() -> None:
    world = WalletWorld()
    sender, receiver = await two_wallets(world)
    await world.run(c.CloseWallet(), receiver)
    with pytest.raises(domain.PolicyRefusedError) as caught:
        await world.run(send(receiver, 1), sender)
    assert caught.value.extra["rule"] == ppi.CLOSED_NO_CREDIT and caught.value.extra["wallet_id"] == receiver
