"""`Loader.settled`: a fact that never changes once its stream exists (a VPA's registration) is
answered from this process's cache unread and not listed for the append to verify, so a UPI
payment (which appends to its payer's VPA but only reads its payee's) is decided once and reads
neither VPA nor the money's streams when they are cached; a stream not cached is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from command_service.event_store import AppendResult, AppendStream, Records, StoredIdempotency
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import (
    Loader,
)
from command_service.handling.loading import trusting
from command_service.upi import domain
from shared.upi.streams import VPA
from tests.support.upi import UpiWorld, rupees


class Recording(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []
        self.key_reads: list[str] = []
        self.appends = 0

    async def append(self, streams: Sequence[AppendStream], idempotency: Records = None) -> AppendResult:
        self.appends += 1
        return await super().append(streams, idempotency)

    async def read_stream(self, stream_id: str, from_version: int = 1, **bounds: Any):  # type: ignore[no-untyped-def]
        self.reads.append(stream_id)
        return await super().read_stream(stream_id, from_version, **bounds)

    async def idempotency(self, key: str) -> StoredIdempotency | None:
        self.key_reads.append(key)
        return await super().idempotency(key)


async def paying_world() -> tuple[Recording, UpiWorld, str]:
    """asha@bahi (an account with ₹1,000) pays ravi@bahi (a wallet), both past their first day."""
    store = Recording()
    world = UpiWorld(store=store)
    account, wallet = await world.account(rupees(1_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=2)
    return store, world, account


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
    store, world, _ = await paying_world()
    await world.pay("asha@bahi", "ravi@bahi", 100)  # caches the payee's registration
    store.reads.clear()
    await world.pay("asha@bahi", "ravi@bahi", 100)
    assert store.reads == [] and store.key_reads == []  # nor a key record: its RRN is a serial (`rrns`)
