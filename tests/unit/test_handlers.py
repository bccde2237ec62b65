"""Command handling through `dispatch`, with the in-memory event store."""

from datetime import UTC, datetime

import pytest

from command_service.commerce.commands import CreateProduct, OrderItem, PlaceOrder, ShippingAddress
from command_service.commerce.domain import OutOfStockError, ProductAlreadyExistsError
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import (
    ConflictError,
    Envelope,
    IdempotencyKeyReusedError,
    PreconditionFailedError,
)
from shared.commerce.events import PaymentMethod
from tests.support.commands import dispatch


def clock() -> datetime:
    return datetime(2026, 11, 28, tzinfo=UTC)


ADDRESS = ShippingAddress(name="Asha", line1="12 MG Road", city="Pune", state="MH", pincode="411001")


def order(qty: int = 1, sku: str = "P") -> PlaceOrder:
    return PlaceOrder(
        customer_id="c-1",
        items=[OrderItem(sku=sku, quantity=qty)],
        shipping_address=ADDRESS,
        payment_method=PaymentMethod.UPI,
    )


@pytest.fixture
async def store() -> InMemoryEventStore:
    store = InMemoryEventStore()
    await dispatch(
        Envelope(CreateProduct(sku="P", name="Phone", category="electronics", price_paise=1000, stock=3)),
        store=store,
        clock=clock,
    )
    return store


async def test_place_order_appends_order_and_reservation_atomically(store: InMemoryEventStore) -> None:
    outcome = await dispatch(Envelope(order(2), target_id="ord-1"), store=store, clock=clock)
    assert outcome.token.stream_id == "ord-1" and outcome.token.version == 1
    assert [e.event_type for e in await store.read_stream("ord-1")] == ["OrderPlaced"]
    assert [e.event_type for e in await store.read_stream("product-P")] == ["ProductCreated", "StockReserved"]


async def test_out_of_stock_appends_nothing(store: InMemoryEventStore) -> None:
    before = await store.read_all()
    with pytest.raises(OutOfStockError):
        await dispatch(Envelope(order(4), target_id="ord-1"), store=store, clock=clock)
    assert await store.read_all() == before


async def test_duplicate_product_is_rejected(store: InMemoryEventStore) -> None:
    with pytest.raises(ProductAlreadyExistsError):
        await dispatch(
            Envelope(CreateProduct(sku="P", name="x", category="c", price_paise=1, stock=1)), store=store, clock=clock
        )


async def test_same_key_same_request_answers_the_first_result(store: InMemoryEventStore) -> None:
    first = await dispatch(Envelope(order(), idempotency_key="k", target_id="ord-1"), store=store, clock=clock)
    again = await dispatch(Envelope(order(), idempotency_key="k", target_id="ord-2"), store=store, clock=clock)
    assert again.replayed and again.body() == first.body()
    assert await store.read_stream("ord-2") == []


async def test_same_key_other_request_is_refused(store: InMemoryEventStore) -> None:
    await dispatch(Envelope(order(1), idempotency_key="k", target_id="ord-1"), store=store, clock=clock)
    with pytest.raises(IdempotencyKeyReusedError):
        await dispatch(Envelope(order(2), idempotency_key="k", target_id="ord-2"), store=store, clock=clock)


async def test_if_match_mismatch_is_a_precondition_failure(store: InMemoryEventStore) -> None:
    with pytest.raises(PreconditionFailedError) as caught:
        await dispatch(Envelope(order(), expected_version=3, target_id="ord-1"), store=store, clock=clock)
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
