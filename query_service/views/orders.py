"""The order view as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.read_models import ORDER_VIEW, CollectionResolver


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
    shipping_address: AddressView
    placed_at: datetime
    updated_at: datetime
    timeline: list[TimelineStep]
    version: int


async def get_order(db: AsyncDatabase[Any], resolver: CollectionResolver, order_id: str) -> OrderView | None:
    doc = await db[await resolver.live(ORDER_VIEW)].find_one({"_id": order_id})
    return OrderView.model_validate(doc) if doc else None
