"""The order view as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from query_service.reads import DocumentLoader
from shared.commerce.read_models import ORDER_VIEW


class OrderItemView(BaseModel):
    sku: str
    name: str
    category: str
    quantity: int
    unit_price_paise: int
    line_total_paise: int
    gst_rate_percent: int
    gst_paise: int


class AddressView(BaseModel):
    name: str
    line1: str
    city: str
    state: str
    pincode: str


class TimelineStep(BaseModel):
    status: str
    at: datetime
    event: str
    reason: str | None = None


class PaymentView(BaseModel):
    method: str
    status: str
    """PENDING, FAILED, CAPTURED, DUE_ON_DELIVERY, COLLECTED or REFUND_DUE."""
    amount_paise: int
    attempts: int = 0
    provider_reference: str | None = None
    captured_at: datetime | None = None
    failure_reason: str | None = None
    refund_references: list[str] = []
    """Provider references of the captures due back to the customer (see `refund_due_paise`)."""


class ShipmentView(BaseModel):
    courier: str
    tracking_id: str
    shipped_at: datetime
    delivered_at: datetime | None = None


class CancellationView(BaseModel):
    reason: str
    cancelled_at: datetime


class ReturnView(BaseModel):
    reason: str
    requested_at: datetime
    received_at: datetime | None = None


class OrderView(BaseModel):
    order_id: str
    customer_id: str
    client_order_id: str | None = None
    status: str
    items: list[OrderItemView]
    subtotal_paise: int
    gst_paise: int
    total_paise: int
    payment_method: str
    payment: PaymentView | None = None
    shipping_address: AddressView
    shipment: ShipmentView | None = None
    returnable_until: datetime | None = None
    cancellation: CancellationView | None = None
    return_: ReturnView | None = Field(default=None, alias="return")
    refund_due_paise: int = 0
    placed_at: datetime
    updated_at: datetime
    timeline: list[TimelineStep]
    version: int


async def get_order(loader: DocumentLoader, order_id: str) -> OrderView | None:
    doc = await loader.get(ORDER_VIEW, order_id)
    return OrderView.model_validate(doc) if doc else None
