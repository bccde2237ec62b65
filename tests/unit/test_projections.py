"""Projections are pure folds; redelivered events change nothing."""

from datetime import UTC, datetime
from uuid import uuid4

from command_service.handling import new_events
from projector_service.engine.apply import fold, group_by_document
from projector_service.registry import default_registry
from shared.commerce.events import (
    Address,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    PaymentMethod,
    ProductCreated,
    StockReserved,
)
from shared.envelope import EventEnvelope, EventMetadata
from shared.events import DomainEvent

PROJECTIONS = default_registry().projections

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def stored(stream_id: str, stream_type: str, events: list[DomainEvent], first_position: int = 1) -> list[EventEnvelope]:
    return [
        EventEnvelope(
            event_id=uuid4(),
            stream_id=stream_id,
            stream_type=stream_type,
            version=i,
            position=first_position + i,
            event_type=n.event_type,
            schema_version=n.schema_version,
            data=n.data,
            metadata=EventMetadata(),
            recorded_at=NOW,
        )
        for i, n in enumerate(new_events(events, EventMetadata()), start=1)
    ]


def order_events() -> list[EventEnvelope]:
    line = OrderLine(
        sku="P",
        name="Phone",
        category="electronics",
        quantity=1,
        unit_price_paise=100,
        line_total_paise=100,
        gst_rate_percent=18,
        gst_paise=18,
    )
    placed = OrderPlaced(
        order_id="ord-1",
        customer_id="c",
        items=(line,),
        shipping_address=Address(name="A", line1="l", city="Pune", state="MH", pincode="411001"),
        payment_method=PaymentMethod.COD,
        subtotal_paise=100,
        gst_paise=18,
        total_paise=118,
        placed_at=NOW,
    )
    return stored("ord-1", "order", [placed, OrderConfirmed(order_id="ord-1", confirmed_at=NOW)])


def test_order_view_follows_the_order() -> None:
    doc = fold(PROJECTIONS["order_view"], None, order_events())
    assert doc is not None
    assert doc["status"] == "CONFIRMED"
    assert [step["status"] for step in doc["timeline"]] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert doc["version"] == 2 and doc["total_paise"] == 118


def test_redelivery_changes_nothing() -> None:
    projection = PROJECTIONS["order_view"]
    events = order_events()
    once = fold(projection, None, events)
    assert fold(projection, once, events) is once
    assert fold(projection, once, events[:1]) is once


def test_stock_view_counts_reservations() -> None:
    events = stored(
        "product-P",
        "product",
        [
            ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=10),
            StockReserved(sku="P", order_id="o1", quantity=3),
            StockReserved(sku="P", order_id="o2", quantity=2),
        ],
    )
    doc = fold(PROJECTIONS["product_view"], None, events)
    assert doc is not None
    assert (doc["on_hand"], doc["reserved"], doc["available"], doc["version"]) == (10, 5, 5, 3)


def test_events_are_grouped_per_document_and_other_streams_ignored() -> None:
    groups = group_by_document(
        PROJECTIONS["order_view"],
        order_events()
        + stored(
            "product-P",
            "product",
            [ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=10)],
        ),
    )
    assert list(groups) == ["ord-1"] and len(groups["ord-1"]) == 2
