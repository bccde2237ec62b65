"""`Loader.settled`: a fact that never changes once its stream exists (a VPA's registration) is
answered from this process's cache unread and not listed for the append to verify, so a UPI
payment (which appends to its payer's VPA but only reads its payee's) is decided once and reads
neither VPA nor the money's streams when they are cached; a stream not cached is read.
`Loader.unclaimed`: a claim's stream the decision creates (an RRN) is taken to be free unread,
the append at "no stream yet" checking it; one taken meanwhile makes the decision run again."""

from __future__ import annotations

from typing import Any

from command_service.event_store import NO_STREAM, AppendStream
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import Loader, new_events
from command_service.handling.loading import trusting
from command_service.upi import domain
from shared.envelope import EventMetadata
from shared.upi.events import UpiRrnClaimed
from shared.upi.streams import RRN, VPA
from tests.support.upi import UpiWorld, rupees


class Recording(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    async def read_stream(self, stream_id: str, from_version: int = 1, **bounds: Any):  # type: ignore[no-untyped-def]
        self.reads.append(stream_id)
        return await super().read_stream(stream_id, from_version, **bounds)


async def test_a_settled_cached_fact_is_not_listed_for_verification_and_an_uncached_one_is_read() -> None:
    store = Recording()
    world = UpiWorld(store=store)
    account = await world.account()
    await world.vpa("asha@bahi", account_id=account)
    load = Loader(store)
    store.reads.clear()
    with trusting() as unread:
        first, _ = await load.settled(
            VPA.stream_id("asha@bahi"), domain.Vpa(vpa="asha@bahi"), domain.evolve_registration
        )
        again, _ = await load.settled(
            VPA.stream_id("asha@bahi"), domain.Vpa(vpa="asha@bahi"), domain.evolve_registration
        )
    assert first.link_id == account == again.link_id
    assert store.reads == [VPA.stream_id("asha@bahi")]  # the first was read, the second cached
    assert unread == []


async def test_a_payment_on_cached_streams_is_decided_once_reading_nothing() -> None:
    store = Recording()
    world = UpiWorld(store=store)
    account, wallet = await world.account(rupees(1_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=2)
    await world.pay("asha@bahi", "ravi@bahi", 100)  # caches the payee's registration
    store.reads.clear()
    await world.pay("asha@bahi", "ravi@bahi", 100)
    assert store.reads == []  # its new RRN is taken to be free: the append at "no stream yet" checks it


async def test_an_rrn_claimed_elsewhere_conflicts_and_the_payment_takes_the_next_candidate() -> None:
    store = Recording()
    world = UpiWorld(store=store)
    account, wallet = await world.account(rupees(1_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=2)
    now = world.clock.now
    taken = domain.rrn_candidate("asha@bahi", "p-1", 0, now)
    claim = UpiRrnClaimed(rrn=taken, payment_id="other", payer_vpa="x@bahi", occurred_at=now)
    await store.append([AppendStream(RRN.stream_id(taken), RRN.name, NO_STREAM, new_events([claim], EventMetadata()))])
    paid = await world.pay("asha@bahi", "ravi@bahi", 100, payment_id="p-1")
    assert paid.response["rrn"] == domain.rrn_candidate("asha@bahi", "p-1", 1, now) != taken
    assert await world.balance(account) == rupees(1_000) - 100  # once
