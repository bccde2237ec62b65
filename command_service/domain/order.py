"""The Order aggregate (stream id = order id): placing an order prices it from the
catalogue and reserves stock for every line, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from command_service.domain import pricing
from command_service.domain.errors import DomainError, OutOfStockError, ProductNotFoundError, Shortage
from command_service.domain.product import Product, decide_reserve
from shared.events import (
    Address,
    DomainEvent,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    PaymentMethod,
)

STREAM_TYPE = "order"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    CONFIRMED = "CONFIRMED"


@dataclass(frozen=True)
class Order:
    order_id: str = ""
    status: OrderStatus | None = None
    total_paise: int = 0

    @property
    def exists(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class RequestedLine:
    sku: str
    quantity: int


def decide_place(
    state: Order,
    *,
    order_id: str,
    customer_id: str,
    lines: list[RequestedLine],
    products: dict[str, Product],
    shipping_address: Address,
    payment_method: PaymentMethod,
    now: datetime,
    client_order_id: str | None = None,
) -> tuple[list[DomainEvent], dict[str, list[DomainEvent]]]:
    """Events for the order stream, and the StockReserved events per SKU."""
    if state.exists:
        raise DomainError(f"order {order_id} already exists", order_id=order_id)
    missing = [line.sku for line in lines if not products[line.sku].exists]
    if missing:
        raise ProductNotFoundError(f"product {missing[0]} does not exist", sku=missing[0])
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    shortages = [
        Shortage(sku, quantity, products[sku].available)
        for sku, quantity in wanted.items()
        if products[sku].available < quantity
    ]
    if shortages:
        raise OutOfStockError(shortages)

    priced = [_price(line, products[line.sku]) for line in lines]
    subtotal = sum(line.line_total_paise for line in priced)
    gst = sum(line.gst_paise for line in priced)
    placed = OrderPlaced(
        order_id=order_id,
        customer_id=customer_id,
        items=tuple(priced),
        shipping_address=shipping_address,
        payment_method=payment_method,
        subtotal_paise=subtotal,
        gst_paise=gst,
        total_paise=subtotal + gst,
        placed_at=now,
        client_order_id=client_order_id,
    )
    order_events: list[DomainEvent] = [placed]
    if payment_method is PaymentMethod.COD:
        order_events.append(OrderConfirmed(order_id=order_id, confirmed_at=now))
    reservations = {
        sku: decide_reserve(products[sku], order_id=order_id, quantity=quantity) for sku, quantity in wanted.items()
    }
    return order_events, reservations


def _price(line: RequestedLine, product: Product) -> OrderLine:
    total = product.price_paise * line.quantity
    rate = pricing.gst_rate(product.category)
    return OrderLine(
        sku=line.sku,
        name=product.name,
        category=product.category,
        quantity=line.quantity,
        unit_price_paise=product.price_paise,
        line_total_paise=total,
        gst_rate_percent=rate,
        gst_paise=pricing.gst_paise(total, rate),
    )


def evolve(state: Order, event: DomainEvent) -> Order:
    match event:
        case OrderPlaced():
            return Order(order_id=event.order_id, status=OrderStatus.PENDING_PAYMENT, total_paise=event.total_paise)
        case OrderConfirmed():
            return Order(order_id=state.order_id, status=OrderStatus.CONFIRMED, total_paise=state.total_paise)
    return state
