"""Events of the `product` stream (one stream per SKU).

Stock moves: `on_hand` is what is in the warehouse, `reserved` what orders hold
and has not shipped yet; `available = on_hand - reserved`.
"""

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


class StockReleased(DomainEvent):
    """A cancelled order's reservation, back to `available`."""

    sku: str
    order_id: str
    quantity: int = Field(gt=0)


class StockShipped(DomainEvent):
    """Reserved units left the warehouse: both `on_hand` and `reserved` drop."""

    sku: str
    order_id: str
    quantity: int = Field(gt=0)


class StockReturned(DomainEvent):
    """Returned units received back into `on_hand`."""

    sku: str
    order_id: str
    quantity: int = Field(gt=0)


class StockRestocked(DomainEvent):
    sku: str
    quantity: int = Field(gt=0)


class PriceChanged(DomainEvent):
    sku: str
    old_price_paise: int = Field(gt=0)
    new_price_paise: int = Field(gt=0)
