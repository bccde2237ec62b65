"""`handlers.rrns.RrnSerials`: an RRN is its IST hour's prefix and a serial no other payment got,
taken a block at a time from the store's counter of that hour; past the hour's million a payment
is refused (a 503) and records nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from command_service.event_store.memory import InMemoryEventStore
from command_service.upi import domain
from command_service.upi.handlers.rrns import COUNTER, RrnSerials
from tests.support.upi import T0, UpiWorld, rupees

PREFIX = domain.rrn_prefix(T0)


class Counting(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reservations: list[tuple[str, int]] = []

    async def reserve(self, counter: str, size: int) -> int:
        self.reservations.append((counter, size))
        return await super().reserve(counter, size)


async def test_serials_follow_one_another_one_reservation_per_block() -> None:
    store = Counting()
    rrns = RrnSerials(block=4)
    given = [await rrns.next(store, T0) for _ in range(10)]
    assert given == [domain.rrn_of(PREFIX, n) for n in range(10)]
    assert store.reservations == [(f"{COUNTER}:{PREFIX}", 4)] * 3


async def test_two_processes_on_one_store_never_share_an_rrn_and_a_restart_leaves_a_gap() -> None:
    store = InMemoryEventStore()
    first, second = RrnSerials(block=3), RrnSerials(block=3)
    given = [await rrns.next(store, T0) for _ in range(5) for rrns in (first, second)]
    assert len(set(given)) == len(given) == 10
    restarted = RrnSerials(block=3)  # `first` stopped with serials of its block unused
    after = await restarted.next(store, T0)
    assert after not in given and after == domain.rrn_of(PREFIX, 12)  # past every block reserved before


async def test_concurrent_payments_meeting_an_empty_block_reserve_once() -> None:
    store = Counting()
    rrns = RrnSerials(block=100)
    given = await asyncio.gather(*(rrns.next(store, T0) for _ in range(10)))
    assert sorted(given) == [domain.rrn_of(PREFIX, n) for n in range(10)]
    assert len(store.reservations) == 1


async def test_each_ist_hour_has_its_own_counter_from_serial_zero() -> None:
    store = Counting()
    rrns = RrnSerials(block=10)
    assert await rrns.next(store, T0) == domain.rrn_of(PREFIX, 0)
    later = T0 + timedelta(hours=1)
    assert await rrns.next(store, later) == domain.rrn_of(domain.rrn_prefix(later), 0)
    assert [counter for counter, _ in store.reservations] == [
        f"{COUNTER}:{PREFIX}",
        f"{COUNTER}:{domain.rrn_prefix(later)}",
    ]


async def test_the_hours_last_serials_are_given_then_payments_are_refused_without_a_round_trip() -> None:
    store = Counting()
    await store.reserve(f"{COUNTER}:{PREFIX}", domain.RRN_SERIALS - 2)  # others took all but two
    rrns = RrnSerials(block=10)
    assert [await rrns.next(store, T0), await rrns.next(store, T0)] == ["630610999998", "630610999999"]
    for _ in range(3):
        with pytest.raises(domain.RrnExhaustedError):
            await rrns.next(store, T0)
    assert len(store.reservations) == 2  # the others' and this block: none after the hour ran out


async def test_a_payment_in_an_hour_given_out_is_a_503_and_records_nothing() -> None:
    world = UpiWorld()
    account, wallet = await world.account(rupees(1_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=2)
    await world.store.reserve(f"{COUNTER}:{domain.rrn_prefix(world.clock.now)}", domain.RRN_SERIALS)
    before = await world.event_count()
    with pytest.raises(domain.RrnExhaustedError) as refused:
        await world.pay("asha@bahi", "ravi@bahi", 100)
    assert refused.value.status == 503
    assert await world.event_count() == before
    assert await world.balance(account) == rupees(1_000)
    world.clock.advance(hours=1)  # the next hour has its own million
    paid = await world.pay("asha@bahi", "ravi@bahi", 100)
    assert paid.response["rrn"] == domain.rrn_of(domain.rrn_prefix(world.clock.now), 0)
