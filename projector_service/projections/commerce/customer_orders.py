"""A customer's orders: one slim document per order, listed by customer newest first
(`sort_key`), filtered by status and placing time."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.projections.commerce.order_steps import step
from shared.commerce.events import OrderPlaced
from shared.commerce.read_models import CUSTOMER_ORDERS, sort_key
from shared.commerce.streams import ORDER, OrderStatus
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == ORDER.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if isinstance(event, OrderPlaced):
        return {
            "_id": event.order_id,
            "order_id": event.order_id,
            "customer_id": event.customer_id,
            "client_order_id": event.client_order_id,
            "status": OrderStatus.PENDING_PAYMENT,
            "placed_at": event.placed_at,
            "updated_at": event.placed_at,
            "total_paise": event.total_paise,
            "item_count": sum(line.quantity for line in event.items),
            "payment_method": event.payment_method.value,
            "sort_key": sort_key(event.placed_at, event.order_id),
        }
    change = step(event)
    if doc is None or change is None or change.status is None:
        return doc
    return {**doc, "status": change.status, "updated_at": change.at}


CUSTOMER_ORDERS_VIEW = Projection(
    name=CUSTOMER_ORDERS, collection=CUSTOMER_ORDERS, stream_types=(ORDER.name,), doc_id=_doc_id, apply=apply
)
