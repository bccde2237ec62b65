"""The Order and Product aggregates built and driven in memory (pure, no I/O): a product in the
catalogue, an order placed for two of it, and the order driven step by step (`do_step`) or
along the legal path to any status (`at`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from command_service.commerce.domain import OrderStatus
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import order_lifecycle as life
from command_service.commerce.domain import product as product_domain
from shared.commerce.events import Address, PaymentMethod
from shared.events import DomainEvent

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ADDRESS = Address(name="Asha", line1="12 MG Road", city="Bengaluru", state="KA", pincode="560001")
S = OrderStatus


def product(
    sku: str = "P", *, price: int = 10_000, stock: int = 5, category: str = "electronics"
) -> product_domain.Product:
    state = product_domain.Product(sku=sku)
    for event in product_domain.decide_create(
        state, sku=sku, name=f"{sku} name", category=category, price_paise=price, stock=stock
    ):
        state = product_domain.evolve(state, event)
    return state


def fold_product(state: product_domain.Product, events: list[DomainEvent]) -> product_domain.Product:
    for event in events:
        state = product_domain.evolve(state, event)
    return state


def fold(state: order_domain.Order, events: list[DomainEvent]) -> order_domain.Order:
    for event in events:
        state = order_domain.evolve(state, event)
    return state


def placed(method: PaymentMethod = PaymentMethod.UPI, qty: int = 2) -> tuple[order_domain.Order, dict]:
    products = {"P": product(stock=5)}
    events, reservations = order_domain.decide_place(
        order_domain.Order(),
        order_id="ord-1",
        customer_id="c-1",
        lines=[order_domain.RequestedLine("P", qty)],
        products=products,
        shipping_address=ADDRESS,
        payment_method=method,
        now=NOW,
    )
    products["P"] = fold_product(products["P"], reservations["P"])
    return fold(order_domain.Order(), events), products


def at(status: OrderStatus) -> tuple[order_domain.Order, dict]:
    """An order (and its product) driven to `status` through the legal path."""
    order, products = placed()
    path = {
        S.PENDING_PAYMENT: [],
        S.PAYMENT_FAILED: ["fail"],
        S.CONFIRMED: ["pay"],
        S.CANCELLED: ["cancel"],
        S.SHIPPED: ["pay", "ship"],
        S.DELIVERED: ["pay", "ship", "deliver"],
        S.RETURN_REQUESTED: ["pay", "ship", "deliver", "return"],
        S.RETURNED: ["pay", "ship", "deliver", "return", "receive"],
    }[status]
    for step in path:
        order, products = do_step(step, order, products)
    assert order.status is status
    return order, products


def do_step(step: str, order: order_domain.Order, products: dict) -> tuple[order_domain.Order, dict]:
    moves: dict[str, list[DomainEvent]] = {}
    if step == "pay":
        events = life.decide_payment(
            order, captured=True, amount_paise=order.total_paise, provider_reference="upi-1", reason=None, now=NOW
        )
    elif step == "fail":
        events = life.decide_payment(
            order,
            captured=False,
            amount_paise=order.total_paise,
            provider_reference="upi-0",
            reason="declined",
            now=NOW,
        )
    elif step == "ship":
        events, moves = life.decide_ship(order, courier="Delhivery", tracking_id="AWB1", products=products, now=NOW)
    elif step == "deliver":
        events = life.decide_deliver(order, now=NOW)
    elif step == "cancel":
        events, moves = life.decide_cancel(order, reason="changed my mind", products=products, now=NOW)
    elif step == "return":
        events = life.decide_request_return(order, reason="too small", now=NOW + timedelta(days=1))
    else:
        events, moves = life.decide_receive_return(order, products=products, now=NOW + timedelta(days=2))
    products = {sku: fold_product(products[sku], moves.get(sku, [])) for sku in products}
    return fold(order, events), products
