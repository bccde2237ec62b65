"""Commands through `dispatch` with the in-memory event store: the order's steps and the product's
commands, atomic multi-stream appends (an order with its stock moves), idempotency keys,
If-Match, late payments, conflicts retried a bounded number of times, and racing writers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from command_service.commerce.commands import (
    CancelOrder,
    ChangePrice,
    CreateProduct,
    DeliverOrder,
    OrderItem,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    RestockProduct,
    ShipOrder,
    ShippingAddress,
)
from command_service.commerce.domain import (
    IllegalTransitionError,
    OrderStatus,
    OutOfStockError,
    ProductAlreadyExistsError,
)
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import product as product_domain
from command_service.event_store import AppendStream
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import (
    ConflictError,
    Envelope,
    IdempotencyKeyReusedError,
    PreconditionFailedError,
    new_events,
)
from shared.commerce.events import PaymentMethod, StockReserved
from shared.envelope import EventMetadata
from tests.support.commands import dispatch, load

T0 = datetime(2026, 11, 28, tzinfo=UTC)
ADDRESS = ShippingAddress(name="Asha", line1="12 MG Road", city="Pune", state="MH", pincode="411001")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def run(store: InMemoryEventStore, command, target: str | None = None, clock=None, **kw):  # type: ignore[no-untyped-def]
    return await dispatch(Envelope(command, target_id=target, **kw), store=store, clock=clock or Clock())


async def stock(store: InMemoryEventStore, sku: str = "P") -> product_domain.Product:
    state, _ = await load(store, product_domain.stream_id(sku), product_domain.Product(sku=sku), product_domain.evolve)
    return state


@pytest.fixture
async def store() -> InMemoryEventStore:
    store = InMemoryEventStore()
    await run(store, CreateProduct(sku="P", name="Phone", category="books", price_paise=1000, stock=3))
    return store


def order(method: PaymentMethod = PaymentMethod.UPI, qty: int = 2) -> PlaceOrder:
    return PlaceOrder(
        customer_id="c-1", items=[OrderItem(sku="P", quantity=qty)], shipping_address=ADDRESS, payment_method=method
    )


async def test_prepaid_lifecycle_moves_stock_with_the_order(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    await run(store, RecordPayment(status="captured", amount_paise=2000, provider_reference="upi-1"), "ord-1")
    shipped = await run(store, ShipOrder(courier="Delhivery", tracking_id="AWB1"), "ord-1")
    assert shipped.token.version == 4  # placed, captured, confirmed, shipped
    assert (await stock(store)).on_hand == 1 and (await stock(store)).reserved == 0
    await run(store, DeliverOrder(), "ord-1")
    await run(store, RequestReturn(reason="too small"), "ord-1")
    await run(store, ReceiveReturn(), "ord-1")
    assert (await stock(store)).on_hand == 3
    types = [e.event_type for e in await store.read_stream("ord-1")]
    assert types[-3:] == ["OrderDelivered", "ReturnRequested", "ReturnReceived"]


async def test_cancellation_appends_order_and_release_in_one_transaction(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    before = len(await store.read_all())
    await run(store, CancelOrder(reason="changed my mind"), "ord-1")
    new = (await store.read_all())[before:]
    assert {e.event_type for e in new} == {"OrderCancelled", "StockReleased"}
    assert len({e.recorded_at for e in new}) == 1  # one append
    assert (await stock(store)).available == 3


async def test_illegal_step_appends_nothing(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    before = await store.read_all()
    with pytest.raises(IllegalTransitionError) as caught:
        await run(store, ShipOrder(courier="x", tracking_id="y"), "ord-1")
    assert caught.value.extra["current_status"] == "PENDING_PAYMENT"
    assert await store.read_all() == before


async def test_return_window_comes_from_the_policy(store: InMemoryEventStore) -> None:
    clock = Clock()
    await run(store, order(PaymentMethod.COD), "ord-1", clock)
    await run(store, ShipOrder(courier="x", tracking_id="y"), "ord-1", clock)
    await dispatch(
        Envelope(DeliverOrder(), target_id="ord-1"), store=store, clock=clock, return_window=timedelta(hours=1)
    )
    clock.now = T0 + timedelta(hours=2)
    with pytest.raises(Exception, match="could be returned until"):
        await run(store, RequestReturn(reason="late"), "ord-1", clock)


async def test_restock_price_and_if_match(store: InMemoryEventStore) -> None:
    restocked = await run(store, RestockProduct(quantity=7), "P", expected_version=1)
    assert restocked.token.version == 2 and (await stock(store)).on_hand == 10
    with pytest.raises(PreconditionFailedError):
        await run(store, ChangePrice(price_paise=1500), "P", expected_version=1)
    await run(store, ChangePrice(price_paise=1500), "P", expected_version=2)
    assert (await stock(store)).price_paise == 1500


async def test_the_same_step_under_one_key_happens_once(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    first = await run(store, CancelOrder(reason="r"), "ord-1", idempotency_key="k")
    again = await run(store, CancelOrder(reason="r"), "ord-1", idempotency_key="k")
    assert again.replayed and again.body() == first.body()
    assert [e.event_type for e in await store.read_stream("product-P")].count("StockReleased") == 1


class Interleaving(InMemoryEventStore):
    """Yields to the loop on every read, as a real database does, so racers really interleave."""

    async def read_stream(self, stream_id: str, from_version: int = 1, **bounds):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)
        return await super().read_stream(stream_id, from_version, **bounds)


async def test_racing_orders_for_one_sku_sell_exactly_the_stock() -> None:
    """Exactly the stock is sold, every other order is refused as out of stock (not as a conflict)."""
    store = Interleaving()
    await run(store, CreateProduct(sku="HOT", name="Hot", category="books", price_paise=100, stock=50))
    hot = PlaceOrder(
        customer_id="c", items=[OrderItem(sku="HOT", quantity=1)], shipping_address=ADDRESS, payment_method="COD"
    )
    results = await asyncio.gather(*(run(store, hot, f"ord-{i}") for i in range(200)), return_exceptions=True)
    sold = [r for r in results if not isinstance(r, BaseException)]
    assert len(sold) == 50
    assert all(isinstance(r, OutOfStockError) for r in results if isinstance(r, BaseException))
    assert (await stock(store, "HOT")).available == 0


class Recording(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, int]] = []

    async def read_stream(self, stream_id: str, from_version: int = 1, **bounds):  # type: ignore[no-untyped-def]
        self.reads.append((stream_id, from_version))
        return await super().read_stream(stream_id, from_version, **bounds)


async def test_loading_reads_only_what_was_appended_since_the_last_load() -> None:
    store = Recording()
    await run(store, CreateProduct(sku="P", name="Phone", category="books", price_paise=100, stock=50))
    for i in range(3):
        await run(store, order(PaymentMethod.COD, qty=1), f"ord-{i}")
    product_reads = [v for sid, v in store.reads if sid == "product-P"]
    # create: the empty stream; 1st order: from 1 (its first load); later orders: nothing, the
    # dispatcher advanced the cached product with its own appends, and the append verifies it
    assert product_reads == [1, 1]
    assert (await stock(store)).reserved == 3


async def test_a_stale_cached_state_conflicts_and_is_decided_again_on_the_stream_as_stored() -> None:
    """Another process (here: a raw append, past this dispatcher's cache) took the last units: the
    order decided on the cached product conflicts, is decided again on read state, and refused."""
    store = Recording()
    await run(store, CreateProduct(sku="P", name="Phone", category="books", price_paise=100, stock=3))
    await run(store, order(PaymentMethod.COD, qty=1), "ord-0")
    taken = StockReserved(sku="P", order_id="ord-elsewhere", quantity=2)
    stream = AppendStream(
        product_domain.stream_id("P"), product_domain.STREAM_TYPE, 2, new_events([taken], EventMetadata())
    )
    await store.append([stream])
    with pytest.raises(OutOfStockError):
        await run(store, order(PaymentMethod.COD, qty=1), "ord-1")
    assert [v for sid, v in store.reads if sid == "product-P"][-1] == 3  # it read what it had missed
    assert (await stock(store)).reserved == 3


async def test_a_capture_after_cancellation_appends_a_refund_due_and_moves_no_stock(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    await run(store, CancelOrder(reason="payment not received within 900s"), "ord-1")
    products_before = await store.read_stream("product-P")
    late = await run(store, RecordPayment(status="captured", amount_paise=2000, provider_reference="upi-9"), "ord-1")
    assert late.response["outcome"] == "REFUND_DUE" and late.token.version == 3
    assert [e.event_type for e in await store.read_stream("ord-1")][-1] == "SurplusPaymentCaptured"
    assert await store.read_stream("product-P") == products_before  # released once, stays released
    assert (await stock(store)).available == 3


async def test_the_same_capture_again_appends_nothing_and_answers_where_the_order_is(
    store: InMemoryEventStore,
) -> None:
    await run(store, order(), "ord-1")
    await run(store, CancelOrder(reason="r"), "ord-1")
    capture = RecordPayment(status="captured", amount_paise=2000, provider_reference="upi-9")
    first = await run(store, capture, "ord-1", idempotency_key="webhook-1")
    before = await store.read_all()
    replayed = await run(store, capture, "ord-1", idempotency_key="webhook-1")
    assert replayed.replayed and replayed.body() == first.body()
    redelivered = await run(store, capture, "ord-1", idempotency_key="webhook-2")  # a retry under a new key
    plain = await run(store, capture, "ord-1")
    for again in (redelivered, plain):
        assert again.response["outcome"] == "UNCHANGED" and not again.replayed
        assert again.token == first.token  # same version and position: nothing was appended
    assert await store.read_all() == before
    with pytest.raises(PreconditionFailedError):
        await run(store, capture, "ord-1", expected_version=2)


async def test_a_failure_reported_after_cancellation_appends_nothing(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    cancelled = await run(store, CancelOrder(reason="r"), "ord-1")
    failed = RecordPayment(status="failed", amount_paise=2000, provider_reference="upi-8", reason="timeout")
    answer = await run(store, failed, "ord-1")
    assert answer.response["outcome"] == "UNCHANGED" and answer.token == cancelled.token


async def test_payment_outcomes_name_what_happened(store: InMemoryEventStore) -> None:
    await run(store, order(), "ord-1")
    failed = RecordPayment(status="failed", amount_paise=2000, provider_reference="upi-1", reason="declined")
    assert (await run(store, failed, "ord-1")).response["outcome"] == "FAILED"
    paid = RecordPayment(status="captured", amount_paise=2000, provider_reference="upi-2")
    assert (await run(store, paid, "ord-1")).response["outcome"] == "CONFIRMED"
    double = RecordPayment(status="captured", amount_paise=2000, provider_reference="card-3")
    assert (await run(store, double, "ord-1")).response["outcome"] == "REFUND_DUE"
    order_state, _ = await load(store, "ord-1", order_domain.Order(order_id="ord-1"), order_domain.evolve)
    assert order_state.status is OrderStatus.CONFIRMED and order_state.paid_paise == 2000


# The handling machinery with one product in stock (an electronics phone, three units).


def clock() -> datetime:
    return datetime(2026, 11, 28, tzinfo=UTC)


def place_order(qty: int = 1, sku: str = "P") -> PlaceOrder:
    return PlaceOrder(
        customer_id="c-1",
        items=[OrderItem(sku=sku, quantity=qty)],
        shipping_address=ADDRESS,
        payment_method=PaymentMethod.UPI,
    )


@pytest.fixture
async def electronics_store() -> InMemoryEventStore:
    store = InMemoryEventStore()
    await dispatch(
        Envelope(CreateProduct(sku="P", name="Phone", category="electronics", price_paise=1000, stock=3)),
        store=store,
        clock=clock,
    )
    return store


async def test_place_order_appends_order_and_reservation_atomically(electronics_store: InMemoryEventStore) -> None:
    outcome = await dispatch(Envelope(place_order(2), target_id="ord-1"), store=electronics_store, clock=clock)
    assert outcome.token.stream_id == "ord-1" and outcome.token.version == 1
    assert [e.event_type for e in await electronics_store.read_stream("ord-1")] == ["OrderPlaced"]
    assert [e.event_type for e in await electronics_store.read_stream("product-P")] == [
        "ProductCreated",
        "StockReserved",
    ]


async def test_out_of_stock_appends_nothing(electronics_store: InMemoryEventStore) -> None:
    before = await electronics_store.read_all()
    with pytest.raises(OutOfStockError):
        await dispatch(Envelope(place_order(4), target_id="ord-1"), store=electronics_store, clock=clock)
    assert await electronics_store.read_all() == before


async def test_duplicate_product_is_rejected(electronics_store: InMemoryEventStore) -> None:
    with pytest.raises(ProductAlreadyExistsError):
        await dispatch(
            Envelope(CreateProduct(sku="P", name="x", category="c", price_paise=1, stock=1)),
            store=electronics_store,
            clock=clock,
        )


async def test_same_key_same_request_answers_the_first_result(electronics_store: InMemoryEventStore) -> None:
    first = await dispatch(
        Envelope(place_order(), idempotency_key="k", target_id="ord-1"), store=electronics_store, clock=clock
    )
    again = await dispatch(
        Envelope(place_order(), idempotency_key="k", target_id="ord-2"), store=electronics_store, clock=clock
    )
    assert again.replayed and again.body() == first.body()
    assert await electronics_store.read_stream("ord-2") == []


async def test_same_key_other_request_is_refused(electronics_store: InMemoryEventStore) -> None:
    await dispatch(
        Envelope(place_order(1), idempotency_key="k", target_id="ord-1"), store=electronics_store, clock=clock
    )
    with pytest.raises(IdempotencyKeyReusedError):
        await dispatch(
            Envelope(place_order(2), idempotency_key="k", target_id="ord-2"), store=electronics_store, clock=clock
        )


async def test_if_match_mismatch_is_a_precondition_failure(electronics_store: InMemoryEventStore) -> None:
    with pytest.raises(PreconditionFailedError) as caught:
        await dispatch(
            Envelope(place_order(), expected_version=3, target_id="ord-1"), store=electronics_store, clock=clock
        )
    assert caught.value.actual == 0


class AlwaysConflicting(InMemoryEventStore):
    async def append(self, streams, idempotency=None):  # type: ignore[no-untyped-def]
        from command_service.event_store import ConcurrencyError

        raise ConcurrencyError(streams[0].stream_id, streams[0].expected_version, streams[0].expected_version + 1)


async def test_conflicts_are_retried_a_bounded_number_of_times() -> None:
    store = AlwaysConflicting()
    with pytest.raises(ConflictError):
        await dispatch(
            Envelope(CreateProduct(sku="P", name="n", category="c", price_paise=1, stock=1)),
            store=store,
            clock=clock,
            max_attempts=3,
        )
