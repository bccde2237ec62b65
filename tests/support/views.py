"""Stored events to fold into the read models: `stored` gives domain events the envelopes the
event store would (gap-free versions, increasing positions); a confirmed COD order
(`order_events`), an order placed (`placed`) and one prepaid order's whole lifecycle from
placement to a received return (`lifecycle`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from command_service.handling import new_events
from shared.commerce.events import (
    Address,
    OrderConfirmed,
    OrderDelivered,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentMethod,
    ReturnReceived,
    ReturnRequested,
)
from shared.envelope import EventEnvelope, EventMetadata
from shared.events import DomainEvent

NOW = datetime(2026, 11, 28, tzinfo=UTC)
T = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


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


def placed(order_id: str = "ord-abc123", method: PaymentMethod = PaymentMethod.UPI, total: int = 118) -> OrderPlaced:
    line = OrderLine(
        sku="PHONE-1",
        name="Redmi Note 13",
        category="electronics",
        quantity=1,
        unit_price_paise=100,
        line_total_paise=100,
        gst_rate_percent=18,
        gst_paise=18,
    )
    return OrderPlaced(
        order_id=order_id,
        customer_id="cust-9",
        items=(line,),
        shipping_address=Address(name="A", line1="l", city="Bengaluru", state="KA", pincode="560001"),
        payment_method=method,
        subtotal_paise=100,
        gst_paise=18,
        total_paise=total,
        placed_at=T,
    )


def lifecycle(order_id: str = "ord-abc123") -> list[DomainEvent]:
    ids = {"order_id": order_id, "customer_id": "cust-9"}
    return [
        placed(order_id),
        PaymentCaptured(**ids, amount_paise=118, provider_reference="upi:77", captured_at=T + timedelta(minutes=1)),
        OrderConfirmed(**ids, confirmed_at=T + timedelta(minutes=1)),
        OrderShipped(**ids, courier="Delhivery", tracking_id="AWB5", shipped_at=T + timedelta(days=1)),
        OrderDelivered(**ids, delivered_at=T + timedelta(days=2), returnable_until=T + timedelta(days=9)),
        ReturnRequested(**ids, reason="wrong colour", requested_at=T + timedelta(days=3)),
        ReturnReceived(**ids, received_at=T + timedelta(days=5), refund_due_paise=118),
    ]
