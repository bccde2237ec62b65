"""Event contracts: frozen pydantic models, one per event type and schema version.

`EVENT_MODELS` maps an event type to its current model. Old schema versions are
turned into the current one by registered upcasters when read (`upcast`); stored
rows are never rewritten.
"""

from shared.events.base import DomainEvent
from shared.events.orders import (
    Address,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    PaymentMethod,
)
from shared.events.products import ProductCreated, StockReserved
from shared.events.registry import (
    EVENT_MODELS,
    UnknownEventError,
    current_schema_version,
    parse_event,
    upcast,
)

__all__ = [
    "EVENT_MODELS",
    "Address",
    "DomainEvent",
    "OrderConfirmed",
    "OrderLine",
    "OrderPlaced",
    "PaymentMethod",
    "ProductCreated",
    "StockReserved",
    "UnknownEventError",
    "current_schema_version",
    "parse_event",
    "upcast",
]
