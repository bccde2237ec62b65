"""Commands: imperative, validated requests (pydantic). Bad input never reaches the domain."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Address, PaymentMethod

_SKU = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
MAX_PRICE_PAISE = 100_000_000_00  # ₹10 crore: anything above is a typo, not a product
MAX_STOCK = 10_000_000
MAX_QUANTITY = 1_000


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    creates_aggregate: ClassVar[bool] = False
    """True when the server picks the new aggregate's id (it is then not part of the request)."""


class CreateProduct(Command):
    sku: str = Field(pattern=_SKU)
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=60)
    price_paise: int = Field(gt=0, le=MAX_PRICE_PAISE, strict=True)
    stock: int = Field(ge=0, le=MAX_STOCK, strict=True)


class OrderItem(Command):
    sku: str = Field(pattern=_SKU)
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)


class ShippingAddress(Address):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=80)
    state: str = Field(min_length=1, max_length=80)


class PlaceOrder(Command):
    creates_aggregate: ClassVar[bool] = True

    customer_id: str = Field(pattern=_ID)
    items: list[OrderItem] = Field(min_length=1, max_length=50)
    shipping_address: ShippingAddress
    payment_method: PaymentMethod
    client_order_id: str | None = Field(default=None, pattern=_ID)
