"""The Product aggregate (stream id = `product-<sku>`): catalogue data and stock.

Invariants, checked by every decision: `0 <= reserved <= on_hand`, so
`available = on_hand - reserved` is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from command_service.commerce.domain.errors import (
    PriceUnchangedError,
    ProductAlreadyExistsError,
    ProductNotFoundError,
    StockInvariantError,
)
from shared.commerce.events import (
    PriceChanged,
    ProductCreated,
    StockReleased,
    StockReserved,
    StockRestocked,
    StockReturned,
    StockShipped,
)
from shared.commerce.streams import PRODUCT
from shared.events import DomainEvent

STREAM_TYPE = PRODUCT.name


def stream_id(sku: str) -> str:
    return PRODUCT.stream_id(sku)


@dataclass(frozen=True)
class Product:
    sku: str = ""
    name: str = ""
    category: str = ""
    price_paise: int = 0
    on_hand: int = 0
    reserved: int = 0
    exists: bool = False

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def _require(state: Product) -> None:
    if not state.exists:
        raise ProductNotFoundError(f"product {state.sku} does not exist", sku=state.sku)


def decide_create(
    state: Product, *, sku: str, name: str, category: str, price_paise: int, stock: int
) -> list[DomainEvent]:
    if state.exists:
        raise ProductAlreadyExistsError(f"product {sku} already exists", sku=sku)
    return [ProductCreated(sku=sku, name=name, category=category, price_paise=price_paise, stock=stock)]


def decide_reserve(state: Product, *, order_id: str, quantity: int) -> list[DomainEvent]:
    """Callers check availability across all lines first (see order.decide_place) to name every shortage."""
    _require(state)
    if quantity > state.available:
        raise StockInvariantError(f"SKU {state.sku}: cannot reserve {quantity}, {state.available} available")
    return [StockReserved(sku=state.sku, order_id=order_id, quantity=quantity)]


def decide_release(state: Product, *, order_id: str, quantity: int) -> list[DomainEvent]:
    _require(state)
    if quantity > state.reserved:
        raise StockInvariantError(f"SKU {state.sku}: cannot release {quantity}, {state.reserved} reserved")
    return [StockReleased(sku=state.sku, order_id=order_id, quantity=quantity)]


def decide_ship(state: Product, *, order_id: str, quantity: int) -> list[DomainEvent]:
    _require(state)
    if quantity > state.reserved:
        raise StockInvariantError(f"SKU {state.sku}: cannot ship {quantity}, {state.reserved} reserved")
    return [StockShipped(sku=state.sku, order_id=order_id, quantity=quantity)]


def decide_take_back(state: Product, *, order_id: str, quantity: int) -> list[DomainEvent]:
    _require(state)
    return [StockReturned(sku=state.sku, order_id=order_id, quantity=quantity)]


def decide_restock(state: Product, *, quantity: int) -> list[DomainEvent]:
    _require(state)
    return [StockRestocked(sku=state.sku, quantity=quantity)]


def decide_change_price(state: Product, *, price_paise: int) -> list[DomainEvent]:
    _require(state)
    if price_paise == state.price_paise:
        # An event that changes nothing would only be noise in the history.
        raise PriceUnchangedError(f"SKU {state.sku} already costs {price_paise} paise", price_paise=price_paise)
    return [PriceChanged(sku=state.sku, old_price_paise=state.price_paise, new_price_paise=price_paise)]


def evolve(state: Product, event: DomainEvent) -> Product:
    match event:
        case ProductCreated():
            return Product(
                sku=event.sku,
                name=event.name,
                category=event.category,
                price_paise=event.price_paise,
                on_hand=event.stock,
                exists=True,
            )
        case StockReserved():
            return replace(state, reserved=state.reserved + event.quantity)
        case StockReleased():
            return replace(state, reserved=state.reserved - event.quantity)
        case StockShipped():
            return replace(state, on_hand=state.on_hand - event.quantity, reserved=state.reserved - event.quantity)
        case StockReturned():
            return replace(state, on_hand=state.on_hand + event.quantity)
        case StockRestocked():
            return replace(state, on_hand=state.on_hand + event.quantity)
        case PriceChanged():
            return replace(state, price_paise=event.new_price_paise)
    return state
