"""The order view: everything a customer page shows about one order."""

from __future__ import annotations

from projector_service.projections.base import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import DomainEvent, OrderConfirmed, OrderPlaced
from shared.read_models import ORDER_VIEW as COLLECTION


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == "order" else None


def _step(status: str, at: object, event: str, reason: str | None = None) -> Document:
    return {"status": status, "at": at, "event": event, "reason": reason}


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    match event:
        case OrderPlaced():
            status = "PENDING_PAYMENT"
            return {
                "_id": event.order_id,
                "order_id": event.order_id,
                "customer_id": event.customer_id,
                "client_order_id": event.client_order_id,
                "status": status,
                "items": [line.model_dump() for line in event.items],
                "subtotal_paise": event.subtotal_paise,
                "gst_paise": event.gst_paise,
                "total_paise": event.total_paise,
                "payment_method": event.payment_method.value,
                "shipping_address": event.shipping_address.model_dump(),
                "placed_at": event.placed_at,
                "updated_at": event.placed_at,
                "timeline": [_step(status, event.placed_at, "OrderPlaced")],
            }
        case OrderConfirmed() if doc is not None:
            return {
                **doc,
                "status": "CONFIRMED",
                "updated_at": event.confirmed_at,
                "timeline": [*doc["timeline"], _step("CONFIRMED", event.confirmed_at, "OrderConfirmed")],
            }
    return doc


ORDER_VIEW = Projection(name="order_view", collection=COLLECTION, stream_types=("order",), doc_id=_doc_id, apply=apply)
