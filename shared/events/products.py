"""Events of the `product` stream (one stream per SKU)."""

from pydantic import Field

from shared.events.base import DomainEvent


class ProductCreated(DomainEvent):
    sku: str
    name: str
    category: str
    price_paise: int = Field(gt=0)
    stock: int = Field(ge=0)


class StockReserved(DomainEvent):
    """Units of a SKU set aside for an order; they leave `available` at once."""

    sku: str
    order_id: str
    quantity: int = Field(gt=0)
