"""Events of the `order` stream."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent


class PaymentMethod(StrEnum):
    UPI = "UPI"
    CARD = "CARD"
    NETBANKING = "NETBANKING"
    COD = "COD"
    WALLET = "WALLET"


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
    """A COD order is confirmed at once; a prepaid one when its payment is captured."""

    order_id: str
    confirmed_at: datetime
