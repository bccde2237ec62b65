"""The commerce context's events: the `order` stream's and the `product` stream's."""

from shared.commerce.events.orders import (
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
    upcast_order_confirmed_v1,
)
from shared.commerce.events.products import (
    PriceChanged,
    ProductCreated,
    StockReleased,
    StockReserved,
    StockRestocked,
    StockReturned,
    StockShipped,
)

EVENT_TYPES = (
    ProductCreated,
    StockReserved,
    StockReleased,
    StockShipped,
    StockReturned,
    StockRestocked,
    PriceChanged,
    OrderPlaced,
    OrderConfirmed,
    PaymentCaptured,
    PaymentFailed,
    SurplusPaymentCaptured,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    ReturnRequested,
    ReturnReceived,
)

# (event type, from schema version) -> the payload of version + 1.
UPCASTERS = {("OrderConfirmed", 1): upcast_order_confirmed_v1}

__all__ = [
    "EVENT_TYPES",
    "UPCASTERS",
    "Address",
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
]
