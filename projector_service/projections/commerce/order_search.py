"""Order search: one document per order with the fields every filter needs and the
lowercase `tokens` that `q` matches (customer id, the order id and a few of its
prefixes, SKUs, words of item names; longer prefixes are checked on `id_key`).
Each filter has its own index (shared.commerce.read_models)."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.projections.commerce.order_steps import step
from shared.commerce.events import OrderPlaced
from shared.commerce.read_models import ORDER_SEARCH, id_key, search_tokens, sort_key
from shared.commerce.streams import ORDER, OrderStatus
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == ORDER.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if isinstance(event, OrderPlaced):
        address = event.shipping_address
        return {
            "_id": event.order_id,
            "order_id": event.order_id,
            "id_key": id_key(event.order_id),
            "customer_id": event.customer_id,
            "status": OrderStatus.PENDING_PAYMENT,
            "city": address.city.strip().lower(),
            "city_name": address.city,
            "pincode": address.pincode,
            "payment_method": event.payment_method.value,
            "total_paise": event.total_paise,
            "placed_at": event.placed_at,
            "sort_key": sort_key(event.placed_at, event.order_id),
            "tokens": search_tokens(
                order_id=event.order_id,
                customer_id=event.customer_id,
                skus=[line.sku for line in event.items],
                names=[line.name for line in event.items],
            ),
        }
    change = step(event)
    if doc is None or change is None or change.status is None:
        return doc
    return {**doc, "status": change.status}


ORDER_SEARCH_VIEW = Projection(
    name=ORDER_SEARCH, collection=ORDER_SEARCH, stream_types=(ORDER.name,), doc_id=_doc_id, apply=apply
)
