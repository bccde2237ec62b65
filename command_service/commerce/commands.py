"""The commerce context's commands: imperative, validated requests (pydantic). Bad input
never reaches the domain."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from command_service.handling import Command
from shared.commerce.events import Address, PaymentMethod
from shared.commerce.streams import SKU_PATTERN
from shared.streams import ID_PATTERN

# Free text: printable, not only spaces. Control characters (NUL above all: PostgreSQL's JSONB
# cannot store it) are a 422 naming the field, not a failed append.
TEXT = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"

MAX_PRICE_PAISE = 100_000_000_00  # ₹10 crore: anything above is a typo, not a product
MAX_STOCK = 10_000_000
MAX_QUANTITY = 1_000
MAX_ORDER_PAISE = 50 * MAX_QUANTITY * MAX_PRICE_PAISE * 2  # 50 lines at the dearest price, GST well inside
_REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$"  # UPI transaction ids, card auth codes, AWB numbers


class CreateProduct(Command):
    sku: str = Field(pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=200, pattern=TEXT)
    category: str = Field(min_length=1, max_length=60, pattern=TEXT)
    price_paise: int = Field(gt=0, le=MAX_PRICE_PAISE, strict=True)
    stock: int = Field(ge=0, le=MAX_STOCK, strict=True)


class OrderItem(Command):
    sku: str = Field(pattern=SKU_PATTERN)
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)


class ShippingAddress(Address):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120, pattern=TEXT)
    line1: str = Field(min_length=1, max_length=200, pattern=TEXT)
    city: str = Field(min_length=1, max_length=80, pattern=TEXT)
    state: str = Field(min_length=1, max_length=80, pattern=TEXT)


class PlaceOrder(Command):
    creates_aggregate: ClassVar[bool] = True

    customer_id: str = Field(pattern=ID_PATTERN)
    items: list[OrderItem] = Field(min_length=1, max_length=50)
    shipping_address: ShippingAddress
    payment_method: PaymentMethod
    client_order_id: str | None = Field(default=None, pattern=ID_PATTERN)


class RestockProduct(Command):
    quantity: int = Field(gt=0, le=MAX_STOCK, strict=True)


class ChangePrice(Command):
    price_paise: int = Field(gt=0, le=MAX_PRICE_PAISE, strict=True)


class RecordPayment(Command):
    """A payment provider's answer for an order: captured (money taken) or failed."""

    status: Literal["captured", "failed"]
    amount_paise: int = Field(gt=0, le=MAX_ORDER_PAISE, strict=True)
    provider_reference: str = Field(pattern=_REFERENCE)
    reason: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEXT)


class ShipOrder(Command):
    courier: str = Field(min_length=1, max_length=60, pattern=TEXT)
    tracking_id: str = Field(pattern=_REFERENCE)


class DeliverOrder(Command):
    pass


class CancelOrder(Command):
    reason: str = Field(min_length=1, max_length=200, pattern=TEXT)


class RequestReturn(Command):
    reason: str = Field(min_length=1, max_length=200, pattern=TEXT)


class ReceiveReturn(Command):
    pass
