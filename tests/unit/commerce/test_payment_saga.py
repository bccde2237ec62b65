"""The payment saga with in-memory stores: reacts to order events, cancels overdue
or failed prepaid orders exactly once — across redeliveries and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from command_service.commerce.commands import (
    CancelOrder,
    CreateProduct,
    OrderItem,
    PlaceOrder,
    RecordPayment,
    ShippingAddress,
)
from command_service.commerce.payment_saga import PaymentSaga, WatchState, react
from command_service.commerce.payment_saga.watches import InMemoryWatchStore
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import Envelope
from shared.commerce.events import PaymentMethod
from shared.envelope import EventEnvelope
from shared.events import parse_event
from tests.support.commands import dispatch, dispatcher

T0 = datetime(2026, 11, 28, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)
ADDRESS = ShippingAddress(name="Asha", line1="12 MG Road", city="Pune", state="MH", pincode="411001")


class Clock:
    now = T0

    def __call__(self) -> datetime:
        return self.now


async def setup(method: PaymentMethod = PaymentMethod.UPI) -> tuple[InMemoryEventStore, Clock]:
    store, clock = InMemoryEventStore(), Clock()
    await dispatch(
        Envelope(CreateProduct(sku="P", name="Phone", category="books", price_paise=100, stock=5)),
        store=store,
        clock=clock,
    )
    place = PlaceOrder(
        customer_id="c", items=[OrderItem(sku="P", quantity=2)], shipping_address=ADDRESS, payment_method=method
    )
    await dispatch(Envelope(place, target_id="ord-1"), store=store, clock=clock)
    return store, clock


async def order_events(store: InMemoryEventStore) -> list[EventEnvelope]:
    return [e for e in await store.read_all() if e.stream_type == "order"]


async def feed(saga: PaymentSaga, store: InMemoryEventStore) -> None:
    for env in await order_events(store):
        await saga.handle(env)


async def released(store: InMemoryEventStore) -> int:
    return [e.event_type for e in await store.read_stream("product-P")].count("StockReleased")


async def test_an_unpaid_order_is_cancelled_once_after_the_timeout_even_across_restarts() -> None:
    store, clock = await setup()
    watches = InMemoryWatchStore()
    saga = PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT)
    await feed(saga, store)
    clock.now = T0 + TIMEOUT - timedelta(seconds=1)
    assert await saga.tick() == 0  # not yet
    clock.now = T0 + TIMEOUT
    assert await saga.tick() == 1
    assert await released(store) == 1
    cancelled = (await store.read_stream("ord-1"))[-1]
    assert cancelled.event_type == "OrderCancelled" and "payment not received" in cancelled.data["reason"]
    assert cancelled.metadata.actor == "saga:payment"

    restarted = PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT)  # same state, events redelivered
    await feed(restarted, store)
    assert await restarted.tick() == 0
    assert await released(store) == 1


async def test_a_crash_between_cancelling_and_recording_it_cancels_only_once() -> None:
    store, clock = await setup()
    watches = InMemoryWatchStore()
    saga = PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT)
    await feed(saga, store)
    clock.now = T0 + TIMEOUT
    lost = dict(watches.watches)  # the saga's state as it was before the tick...
    await saga.tick()
    watches.watches = lost  # ...because the crash lost the "done" mark
    assert await PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT).tick() == 1
    assert await released(store) == 1
    assert [e.event_type for e in await store.read_stream("ord-1")].count("OrderCancelled") == 1


async def test_a_failed_payment_is_cancelled_at_once() -> None:
    store, clock = await setup()
    failed = RecordPayment(status="failed", amount_paise=236, provider_reference="upi-9", reason="bank declined")
    await dispatch(Envelope(failed, target_id="ord-1"), store=store, clock=clock)
    saga = PaymentSaga(InMemoryWatchStore(), dispatcher(store, clock), clock, TIMEOUT)
    await feed(saga, store)
    assert await saga.tick() == 1
    assert "bank declined" in (await store.read_stream("ord-1"))[-1].data["reason"]


async def test_a_paid_order_is_left_alone_even_if_the_saga_lags() -> None:
    store, clock = await setup()
    saga = PaymentSaga(InMemoryWatchStore(), dispatcher(store, clock), clock, TIMEOUT)
    await feed(saga, store)  # the saga saw the placement only
    paid = RecordPayment(status="captured", amount_paise=200, provider_reference="upi-1")
    await dispatch(Envelope(paid, target_id="ord-1"), store=store, clock=clock)
    clock.now = T0 + TIMEOUT
    assert await saga.tick() == 0  # the order moved on: refused (If-Match), nothing appended
    assert await released(store) == 0
    assert (await store.read_stream("ord-1"))[-1].event_type == "OrderConfirmed"
    await feed(saga, store)  # caught up: the order is paid, nothing left to watch
    assert await saga.tick() == 0
    assert await released(store) == 0


async def test_cod_orders_are_not_watched() -> None:
    store, clock = await setup(PaymentMethod.COD)
    watches = InMemoryWatchStore()
    await feed(PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT), store)
    assert watches.watches == {}


async def test_react_ignores_redeliveries() -> None:
    store, _ = await setup()
    placed = (await order_events(store))[0]
    event = parse_event(placed.event_type, placed.schema_version, placed.data)
    watch = react(None, event, placed.version, TIMEOUT)
    assert watch is not None and watch.state is WatchState.WAITING and watch.deadline == T0 + TIMEOUT
    assert react(watch, event, placed.version, TIMEOUT) is None


async def test_a_capture_after_the_saga_cancelled_is_left_to_the_refund() -> None:
    store, clock = await setup()
    watches = InMemoryWatchStore()
    saga = PaymentSaga(watches, dispatcher(store, clock), clock, TIMEOUT)
    await feed(saga, store)
    clock.now = T0 + TIMEOUT
    assert await saga.tick() == 1
    late = RecordPayment(status="captured", amount_paise=200, provider_reference="upi-late")
    assert (await dispatch(Envelope(late, target_id="ord-1"), store=store, clock=clock)).response[
        "outcome"
    ] == "REFUND_DUE"
    await feed(saga, store)  # the saga sees the cancellation and the late capture
    watch = watches.watches["ord-1"]
    assert watch.state is WatchState.DONE and watch.outcome == "CANCELLED"
    clock.now = T0 + 2 * TIMEOUT
    assert await saga.tick() == 0
    types = [e.event_type for e in await store.read_stream("ord-1")]
    assert types.count("OrderCancelled") == 1 and types[-1] == "SurplusPaymentCaptured"
    assert await released(store) == 1


async def test_react_ignores_a_surplus_capture_whatever_the_watch() -> None:
    store, clock = await setup()
    await dispatch(Envelope(CancelOrder(reason="r"), target_id="ord-1"), store=store, clock=clock)
    late = RecordPayment(status="captured", amount_paise=200, provider_reference="upi-late")
    await dispatch(Envelope(late, target_id="ord-1"), store=store, clock=clock)
    placed, *_, surplus = await order_events(store)
    event = parse_event(surplus.event_type, surplus.schema_version, surplus.data)
    waiting = react(None, parse_event(placed.event_type, placed.schema_version, placed.data), 1, TIMEOUT)
    assert waiting is not None
    assert react(waiting, event, surplus.version, TIMEOUT) is None
    assert react(None, event, surplus.version, TIMEOUT) is None
