"""Event contracts: frozen pydantic models, one per event type and schema version.

`EVENT_MODELS` maps an event type to its current model. Old schema versions are
turned into the current one by registered upcasters when read (`upcast`); stored
rows are never rewritten.
"""

from shared.events.base import DomainEvent
from shared.events.orders import (
    Address,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    PaymentMethod,
    ReturnReceived,
    ReturnRequested,
    SurplusCause,
    SurplusPaymentCaptured,
)
from shared.events.products import (
    PriceChanged,
    ProductCreated,
    StockReleased,
    StockReserved,
    StockRestocked,
    StockReturned,
    StockShipped,
)
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
    "OrderCancelled",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderLine",
    "OrderPlaced",
    "OrderShipped",
    "PaymentCaptured",
    "PaymentFailed",
    "PaymentMethod",
    "PriceChanged",
    "ProductCreated",
    "ReturnReceived",
    "ReturnRequested",
    "StockReleased",
    "StockReserved",
    "StockRestocked",
    "StockReturned",
    "StockShipped",
    "SurplusCause",
    "SurplusPaymentCaptured",
    "UnknownEventError",
    "current_schema_version",
    "parse_event",
    "upcast",
]
