"""The product (stock) view: catalogue data, price, on hand, reserved and available per SKU."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.commerce.events import (
    PriceChanged,
    ProductCreated,
    StockReleased,
    StockReserved,
    StockRestocked,
    StockReturned,
    StockShipped,
)
from shared.commerce.read_models import PRODUCT_VIEW as COLLECTION
from shared.commerce.streams import PRODUCT
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return PRODUCT.key(env.stream_id) if env.stream_type == PRODUCT.name else None


def _stock(doc: Document, on_hand: int, reserved: int) -> Document:
    available = on_hand - reserved
    return {**doc, "on_hand": on_hand, "reserved": reserved, "available": available, "in_stock": available > 0}


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if isinstance(event, ProductCreated):
        created = {
            "_id": event.sku,
            "sku": event.sku,
            "name": event.name,
            "category": event.category,
            "price_paise": event.price_paise,
        }
        return _stock(created, event.stock, 0)
    if doc is None:
        return None
    on_hand, reserved = doc["on_hand"], doc["reserved"]
    match event:
        case StockReserved():
            return _stock(doc, on_hand, reserved + event.quantity)
        case StockReleased():
            return _stock(doc, on_hand, reserved - event.quantity)
        case StockShipped():
            return _stock(doc, on_hand - event.quantity, reserved - event.quantity)
        case StockReturned() | StockRestocked():
            return _stock(doc, on_hand + event.quantity, reserved)
        case PriceChanged():
            return {**doc, "price_paise": event.new_price_paise}
    return doc


PRODUCT_VIEW = Projection(
    name=COLLECTION, collection=COLLECTION, stream_types=(PRODUCT.name,), doc_id=_doc_id, apply=apply
)
