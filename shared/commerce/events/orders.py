"""Events of the `order` stream.

Every event after `OrderPlaced` carries the `customer_id` too, so that read models
keyed by customer (the customer summary) can route it without a lookup.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent


class PaymentMethod(StrEnum):
    UPI = "UPI"
    CARD = "CARD"
    NETBANKING = "NETBANKING"
    COD = "COD"
    WALLET = "WALLET"

    @property
    def prepaid(self) -> bool:
        return self is not PaymentMethod.COD


class Address(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    line1: str
    city: str
    state: str
    pincode: str = Field(pattern=r"^[1-9][0-9]{5}$")


class OrderLine(BaseModel):
    """A priced line: prices come from the catalogue, never from the client."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str
    name: str
    category: str
    quantity: int = Field(gt=0)
    unit_price_paise: int = Field(gt=0)
    line_total_paise: int = Field(gt=0)
    gst_rate_percent: int = Field(ge=0)
    gst_paise: int = Field(ge=0)


class OrderPlaced(DomainEvent):
    order_id: str
    customer_id: str
    items: tuple[OrderLine, ...]
    shipping_address: Address
    payment_method: PaymentMethod
    subtotal_paise: int = Field(gt=0)
    gst_paise: int = Field(ge=0)
    total_paise: int = Field(gt=0)
    placed_at: datetime
    client_order_id: str | None = None


class OrderConfirmed(DomainEvent):
    """A COD order is confirmed at once; a prepaid one when its payment is captured.

    v2 added `customer_id`; v1 events (stored before it) read with None."""

    schema_version: ClassVar[int] = 2

    order_id: str
    confirmed_at: datetime
    customer_id: str | None = None


def upcast_order_confirmed_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "customer_id": None}


class PaymentCaptured(DomainEvent):
    order_id: str
    customer_id: str
    amount_paise: int = Field(gt=0)
    provider_reference: str
    captured_at: datetime


class SurplusCause(StrEnum):
    ORDER_CANCELLED = "ORDER_CANCELLED"
    """The order was cancelled before the capture arrived (a late provider callback)."""
    ALREADY_PAID = "ALREADY_PAID"
    """The order had been paid already by another capture (a double charge)."""


class SurplusPaymentCaptured(DomainEvent):
    """Money was captured for an order that can no longer use it: it is due back to the
    customer in full (`refund_due_paise`), and the order's status does not change.

    A separate event, not a `PaymentCaptured`: whoever counts captures as revenue
    must not count this one."""

    order_id: str
    customer_id: str
    amount_paise: int = Field(gt=0)
    provider_reference: str
    captured_at: datetime
    cause: SurplusCause
    refund_due_paise: int = Field(gt=0)


class PaymentFailed(DomainEvent):
    order_id: str
    customer_id: str
    amount_paise: int = Field(gt=0)
    provider_reference: str
    reason: str
    failed_at: datetime


class OrderShipped(DomainEvent):
    order_id: str
    customer_id: str
    courier: str
    tracking_id: str
    shipped_at: datetime


class OrderDelivered(DomainEvent):
    """`returnable_until` fixes the return window in force at delivery."""

    order_id: str
    customer_id: str
    delivered_at: datetime
    returnable_until: datetime


class OrderCancelled(DomainEvent):
    """Stock is released in the same transaction; a captured payment becomes a refund due."""

    order_id: str
    customer_id: str
    reason: str
    cancelled_at: datetime
    refund_due_paise: int = Field(ge=0)


class ReturnRequested(DomainEvent):
    order_id: str
    customer_id: str
    reason: str
    requested_at: datetime


class ReturnReceived(DomainEvent):
    """The goods are back: restocked in the same transaction; what was paid is due back."""

    order_id: str
    customer_id: str
    received_at: datetime
    refund_due_paise: int = Field(ge=0)
