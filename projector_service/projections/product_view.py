"""The product (stock) view: catalogue data, on hand, reserved and available per SKU."""

from __future__ import annotations

from projector_service.projections.base import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import DomainEvent, ProductCreated, StockReserved
from shared.read_models import PRODUCT_VIEW as COLLECTION


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id.removeprefix("product-") if env.stream_type == "product" else None


def _stock(doc: Document, on_hand: int, reserved: int) -> Document:
    return {**doc, "on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved}


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    match event:
        case ProductCreated():
            doc = {
                "_id": event.sku,
                "sku": event.sku,
                "name": event.name,
                "category": event.category,
                "price_paise": event.price_paise,
            }
            doc = _stock(doc, event.stock, 0)
        case StockReserved() if doc is not None:
            doc = _stock(doc, doc["on_hand"], doc["reserved"] + event.quantity)
        case _:
            return doc
    return doc


PRODUCT_VIEW = Projection(
    name="product_view", collection=COLLECTION, stream_types=("product",), doc_id=_doc_id, apply=apply
)
