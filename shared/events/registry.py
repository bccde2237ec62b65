"""Event type registry and upcasting from stored schema versions to current models."""

from collections.abc import Callable
from typing import Any

from shared.events.base import DomainEvent
from shared.events.orders import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    ReturnReceived,
    ReturnRequested,
    SurplusPaymentCaptured,
    upcast_order_confirmed_v1,
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

EVENT_MODELS: dict[str, type[DomainEvent]] = {
    model.__name__: model
    for model in (
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
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (event type, from schema version) -> function giving the payload of version + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("OrderConfirmed", 1): upcast_order_confirmed_v1,
}


class UnknownEventError(ValueError):
    """An event type or schema version this code cannot read."""


def current_schema_version(event_type: str) -> int:
    try:
        return EVENT_MODELS[event_type].schema_version
    except KeyError:
        raise UnknownEventError(f"unknown event type {event_type!r}") from None


def upcast(event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """The payload of `data` (stored at `schema_version`) in the current schema."""
    target = current_schema_version(event_type)
    if schema_version > target:
        raise UnknownEventError(f"{event_type} v{schema_version} is newer than this code (v{target})")
    while schema_version < target:
        step = UPCASTERS.get((event_type, schema_version))
        if step is None:
            raise UnknownEventError(f"no upcaster for {event_type} v{schema_version}")
        data = step(data)
        schema_version += 1
    return data


def parse_event(event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
    model = EVENT_MODELS.get(event_type)
    if model is None:
        raise UnknownEventError(f"unknown event type {event_type!r}")
    return model.model_validate(upcast(event_type, schema_version, data))
