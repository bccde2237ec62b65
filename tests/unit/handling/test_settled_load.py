"""`Loader.settled`: a fact that never changes once its stream exists (a VPA's registration) is
answered from this process's cache unread and not listed for the append to verify, so a UPI
payment (which appends to its payer's VPA but only reads its payee's) is decided once and reads
neither VPA nor the money's streams when they are cached; a stream not cached is read.
`Loader.held`: a key record the decision writes (an RRN's claim) is taken to be free unread, the
append checking it; one held meanwhile makes the decision run again knowing it is held, and the
keys this process wrote are held for it unread: a payment never meets its own process's RRNs at
the append."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from command_service.event_store import NO_STREAM, AppendResult, AppendStream, Records, StoredIdempotency
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import (
    Command,
    Decision,
    Dispatcher,
    Envelope,
    Loader,
    ReservedIdempotencyKeyError,
    new_events,
)
from command_service.handling.loading import trusting
from command_service.upi import domain
from command_service.upi.commands import PayByUpi
from command_service.upi.handlers.streams import rrn_claim, rrn_key
from shared.envelope import EventMetadata
from shared.upi.events import UpiVpaRegistered
from shared.upi.streams import VPA
from shared.upi.values import LinkType, VpaKind
from tests.support.upi import T0, UpiWorld, rupees


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
    assert store.reads == [] and store.key_reads == []  # its new RRN is taken to be free: the append checks it


async def test_an_rrn_held_elsewhere_fails_the_append_and_the_payment_takes_the_next_candidate() -> None:
    store, world, account = await paying_world()
    now = world.clock.now
    taken = domain.rrn_candidate("asha@bahi", "p-1", 0, now)
    noted = UpiVpaRegistered(
        vpa="x@bahi", kind=VpaKind.PERSON, link_type=LinkType.ACCOUNT, link_id="a", customer_id="c", occurred_at=now
    )
    other = AppendStream(VPA.stream_id("x@bahi"), VPA.name, NO_STREAM, new_events([noted], EventMetadata()))
    await store.append([other], [rrn_claim(taken, "other", "x@bahi")])
    store.key_reads.clear()
    store.appends = 0
    paid = await world.pay("asha@bahi", "ravi@bahi", 100, payment_id="p-1")
    assert paid.response["rrn"] == domain.rrn_candidate("asha@bahi", "p-1", 1, now) != taken
    assert await world.balance(account) == rupees(1_000) - 100  # once
    assert store.key_reads == []  # decided again knowing the failed append's key held, unread
    assert store.appends == 2  # the one refused on the key, the one with the next candidate
    held = await store.idempotency(rrn_key(taken))
    assert held is not None and held.response["payment_id"] == "other"  # the first claim stands


async def test_an_rrn_this_process_claimed_is_held_unread_and_the_next_payment_takes_the_next_candidate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, world, account = await paying_world()
    monkeypatch.setattr(domain, "rrn_candidate", lambda payer, payment_id, attempt, now: f"61234567890{attempt}")
    first = await world.pay("asha@bahi", "ravi@bahi", 100, payment_id="p-1")
    store.key_reads.clear()
    appends = store.appends
    second = await world.pay("asha@bahi", "ravi@bahi", 100, payment_id="p-2")
    assert (first.response["rrn"], second.response["rrn"]) == ("612345678900", "612345678901")
    assert store.key_reads == [] and store.appends == appends + 1  # no read, no refused append
    assert await world.balance(account) == rupees(1_000) - 200
    with trusting():
        assert await Loader(store).held(rrn_key("612345678900"))  # known: written here
        assert not await Loader(store).held(rrn_key("612345678909"))  # taken to be free, unread
    assert store.key_reads == []
    assert not await Loader(store).held(rrn_key("612345678909"))  # on read state: read
    assert store.key_reads == [rrn_key("612345678909")]


async def test_an_idempotency_key_in_the_rrn_claims_namespace_is_refused_before_anything_is_read() -> None:
    store, world, _ = await paying_world()
    count = await world.event_count()
    store.reads.clear()
    pay = PayByUpi(payment_id="p-2", payer_vpa="asha@bahi", payee_vpa="ravi@bahi", amount_paise=100)
    with pytest.raises(ReservedIdempotencyKeyError, match="reserved namespace 'upi-rrn'"):
        await world.run(pay, "asha@bahi", idempotency_key=rrn_key("612345678901"))
    assert (store.reads, store.key_reads, await world.event_count()) == ([], [], count)
    done = await world.run(pay, "asha@bahi", idempotency_key="http:c:1")  # outside it: runs
    assert done.response["status"] == "COMPLETED"


async def test_a_decision_writing_a_key_its_command_does_not_declare_is_refused_and_appends_nothing() -> None:
    store = InMemoryEventStore()
    event = UpiVpaRegistered(
        vpa="x@bahi", kind=VpaKind.PERSON, link_type=LinkType.ACCOUNT, link_id="a", customer_id="c", occurred_at=T0
    )
    stream = AppendStream(VPA.stream_id("x@bahi"), VPA.name, NO_STREAM, new_events([event], EventMetadata()))

    async def handler(cmd: Noted) -> Decision:
        return Decision([stream], {}, [rrn_claim("612345678901", "p", "x@bahi")])

    dispatch = Dispatcher({Noted: handler}, store=store, dependencies={})
    with pytest.raises(ValueError, match="declares no key namespace"):
        await dispatch(Envelope(Noted()))
    assert await store.stream_version(stream.stream_id) == 0
    assert await store.idempotency(rrn_key("612345678901")) is None


class Noted(Command):
    """A command that declares no key namespace."""
