"""The Order aggregate (stream id = order id).

Placing an order prices it from the catalogue and reserves stock for every line,
all or nothing. The later steps (payment, shipment, delivery, cancellation,
return) are decided in `order_lifecycle`, through the state machine in `order_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from command_service.commerce.domain import pricing
from command_service.commerce.domain.errors import OutOfStockError, ProductNotFoundError, Shortage
from command_service.commerce.domain.order_status import OrderStatus
from command_service.commerce.domain.product import Product, decide_reserve
from shared.commerce.events import (
    Address,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    PaymentMethod,
    ReturnReceived,
    ReturnRequested,
    SurplusPaymentCaptured,
)
from shared.commerce.streams import ORDER
from shared.errors import DomainError
from shared.events import DomainEvent

STREAM_TYPE = ORDER.name

Decided = tuple[list[DomainEvent], dict[str, list[DomainEvent]]]
"""Events for the order stream, and events per SKU for the product streams."""


@dataclass(frozen=True)
class Order:
    order_id: str = ""
    customer_id: str = ""
    status: OrderStatus | None = None
    payment_method: PaymentMethod = PaymentMethod.COD
    total_paise: int = 0
    quantities: tuple[tuple[str, int], ...] = ()
    """(sku, units) per SKU, as reserved."""
    paid_paise: int = 0
    """What the order keeps of the money captured for it (a surplus capture is owed back, not kept)."""
    captures: tuple[tuple[str, int], ...] = ()
    """(provider reference, paise) of every capture recorded, surplus ones included: a
    provider that delivers the same capture again changes nothing."""
    returnable_until: datetime | None = None

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
) -> Decided:
    if state.exists:
        raise DomainError(f"order {order_id} already exists", order_id=order_id)
    missing = [line.sku for line in lines if not products[line.sku].exists]
    if missing:
        raise ProductNotFoundError(f"product {missing[0]} does not exist", sku=missing[0])
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    shortages = [Shortage(sku, n, products[sku].available) for sku, n in wanted.items() if products[sku].available < n]
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
    if not payment_method.prepaid:
        order_events.append(OrderConfirmed(order_id=order_id, customer_id=customer_id, confirmed_at=now))
    reservations = {sku: decide_reserve(products[sku], order_id=order_id, quantity=n) for sku, n in wanted.items()}
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
            quantities: dict[str, int] = {}
            for line in event.items:
                quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
            return Order(
                order_id=event.order_id,
                customer_id=event.customer_id,
                status=OrderStatus.PENDING_PAYMENT,
                payment_method=event.payment_method,
                total_paise=event.total_paise,
                quantities=tuple(quantities.items()),
            )
        case OrderConfirmed():
            return replace(state, status=OrderStatus.CONFIRMED)
        case PaymentCaptured():
            captures = (*state.captures, (event.provider_reference, event.amount_paise))
            return replace(state, paid_paise=state.paid_paise + event.amount_paise, captures=captures)
        case SurplusPaymentCaptured():
            return replace(state, captures=(*state.captures, (event.provider_reference, event.amount_paise)))
        case PaymentFailed():
            return replace(state, status=OrderStatus.PAYMENT_FAILED)
        case OrderShipped():
            return replace(state, status=OrderStatus.SHIPPED)
        case OrderDelivered():
            # Cash on delivery is collected by the courier at the door.
            paid = state.paid_paise if state.payment_method.prepaid else state.total_paise
            return replace(
                state, status=OrderStatus.DELIVERED, returnable_until=event.returnable_until, paid_paise=paid
            )
        case OrderCancelled():
            return replace(state, status=OrderStatus.CANCELLED)
        case ReturnRequested():
            return replace(state, status=OrderStatus.RETURN_REQUESTED)
        case ReturnReceived():
            return replace(state, status=OrderStatus.RETURNED)
    return state
