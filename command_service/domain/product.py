"""The Product aggregate: catalogue entry and stock of one SKU (stream id `product-<sku>`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from command_service.domain.errors import ProductAlreadyExistsError, ProductNotFoundError
from shared.events import DomainEvent, ProductCreated, StockReserved

STREAM_TYPE = "product"


def stream_id(sku: str) -> str:
    return f"product-{sku}"


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


def decide_create(
    state: Product, *, sku: str, name: str, category: str, price_paise: int, stock: int
) -> list[DomainEvent]:
    if state.exists:
        raise ProductAlreadyExistsError(f"product {sku} already exists", sku=sku)
    return [ProductCreated(sku=sku, name=name, category=category, price_paise=price_paise, stock=stock)]


def decide_reserve(state: Product, *, order_id: str, quantity: int) -> list[DomainEvent]:
    """Callers check availability across all lines first (see order.place) to name every shortage."""
    if not state.exists:
        raise ProductNotFoundError(f"product {state.sku} does not exist", sku=state.sku)
    return [StockReserved(sku=state.sku, order_id=order_id, quantity=quantity)]


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
    return state
