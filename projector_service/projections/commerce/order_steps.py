"""How each order event moves the order's status: shared by every order read model,
so the order view, the customer's list, the summary and search never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.commerce.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    ReturnReceived,
    ReturnRequested,
    SurplusCause,
    SurplusPaymentCaptured,
)
from shared.commerce.streams import OrderStatus
from shared.events import DomainEvent

_SURPLUS_REASON = {
    SurplusCause.ORDER_CANCELLED: "payment captured after the order was cancelled: refund due",
    SurplusCause.ALREADY_PAID: "payment captured for an order already paid: refund due",
}


@dataclass(frozen=True)
class Step:
    status: OrderStatus | None
    """The status after the event, or None when it leaves the status as it was."""
    at: datetime
    reason: str | None = None


def step(event: DomainEvent) -> Step | None:
    """The status change an order event records; None for events of other streams."""
    match event:
        case OrderPlaced():
            return Step(OrderStatus.PENDING_PAYMENT, event.placed_at)
        case OrderConfirmed():
            return Step(OrderStatus.CONFIRMED, event.confirmed_at)
        case PaymentCaptured():
            return Step(None, event.captured_at)
        case SurplusPaymentCaptured():
            return Step(None, event.captured_at, _SURPLUS_REASON[event.cause])
        case PaymentFailed():
            return Step(OrderStatus.PAYMENT_FAILED, event.failed_at, event.reason)
        case OrderShipped():
            return Step(OrderStatus.SHIPPED, event.shipped_at)
        case OrderDelivered():
            return Step(OrderStatus.DELIVERED, event.delivered_at)
        case OrderCancelled():
            return Step(OrderStatus.CANCELLED, event.cancelled_at, event.reason)
        case ReturnRequested():
            return Step(OrderStatus.RETURN_REQUESTED, event.requested_at, event.reason)
        case ReturnReceived():
            return Step(OrderStatus.RETURNED, event.received_at)
    return None
