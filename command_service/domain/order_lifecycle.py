"""The Order's life after placing: payment, shipment, delivery, cancellation and return.

Each decision goes through the state machine (`order_status.require`); the ones
that move stock also decide the product events (release on cancellation, ship,
restock on a received return), which the handler appends in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from command_service.domain import product
from command_service.domain.errors import OrderNotFoundError, PaymentMismatchError, ReturnWindowClosedError
from command_service.domain.order import Decided, Order
from command_service.domain.order_status import OrderStatus, require
from command_service.domain.product import Product
from shared.events import (
    DomainEvent,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    ReturnReceived,
    ReturnRequested,
)

DEFAULT_RETURN_WINDOW = timedelta(days=7)


def _per_sku(
    move: Callable[..., list[DomainEvent]], state: Order, products: dict[str, Product]
) -> dict[str, list[DomainEvent]]:
    """The same stock move for every SKU of the order, with the units it reserved."""
    return {sku: move(products[sku], order_id=state.order_id, quantity=n) for sku, n in state.quantities}


def _existing(state: Order) -> OrderStatus:
    if state.status is None:
        raise OrderNotFoundError(f"order {state.order_id} does not exist", order_id=state.order_id)
    return state.status


def decide_payment(
    state: Order, *, captured: bool, amount_paise: int, provider_reference: str, reason: str | None, now: datetime
) -> list[DomainEvent]:
    status = _existing(state)
    if not state.payment_method.prepaid:
        raise PaymentMismatchError(f"order {state.order_id} is cash on delivery: it is paid on delivery")
    ids = {"order_id": state.order_id, "customer_id": state.customer_id}
    if not captured:
        require(state.order_id, status, OrderStatus.PAYMENT_FAILED, "record a failed payment for")
        return [
            PaymentFailed(
                **ids,
                amount_paise=amount_paise,
                provider_reference=provider_reference,
                reason=reason or "declined",
                failed_at=now,
            )
        ]
    require(state.order_id, status, OrderStatus.CONFIRMED, "capture a payment for")
    if amount_paise != state.total_paise:
        raise PaymentMismatchError(
            f"order {state.order_id} totals {state.total_paise} paise, the payment was {amount_paise}",
            expected_paise=state.total_paise,
            amount_paise=amount_paise,
        )
    return [
        PaymentCaptured(**ids, amount_paise=amount_paise, provider_reference=provider_reference, captured_at=now),
        OrderConfirmed(**ids, confirmed_at=now),
    ]


def decide_ship(
    state: Order, *, courier: str, tracking_id: str, products: dict[str, Product], now: datetime
) -> Decided:
    require(state.order_id, _existing(state), OrderStatus.SHIPPED, "ship")
    shipped = OrderShipped(
        order_id=state.order_id, customer_id=state.customer_id, courier=courier, tracking_id=tracking_id, shipped_at=now
    )
    moves = {
        sku: product.decide_ship(products[sku], order_id=state.order_id, quantity=n) for sku, n in state.quantities
    }
    return [shipped], moves


def decide_deliver(
    state: Order, *, now: datetime, return_window: timedelta = DEFAULT_RETURN_WINDOW
) -> list[DomainEvent]:
    require(state.order_id, _existing(state), OrderStatus.DELIVERED, "deliver")
    return [
        OrderDelivered(
            order_id=state.order_id,
            customer_id=state.customer_id,
            delivered_at=now,
            returnable_until=now + return_window,
        )
    ]


def decide_cancel(state: Order, *, reason: str, products: dict[str, Product], now: datetime) -> Decided:
    require(state.order_id, _existing(state), OrderStatus.CANCELLED, "cancel")
    cancelled = OrderCancelled(
        order_id=state.order_id,
        customer_id=state.customer_id,
        reason=reason,
        cancelled_at=now,
        refund_due_paise=state.paid_paise,
    )
    moves = {
        sku: product.decide_release(products[sku], order_id=state.order_id, quantity=n) for sku, n in state.quantities
    }
    return [cancelled], moves


def decide_request_return(state: Order, *, reason: str, now: datetime) -> list[DomainEvent]:
    require(state.order_id, _existing(state), OrderStatus.RETURN_REQUESTED, "return")
    if state.returnable_until is not None and now > state.returnable_until:
        raise ReturnWindowClosedError(
            f"order {state.order_id} could be returned until {state.returnable_until.isoformat()}",
            returnable_until=state.returnable_until.isoformat(),
        )
    return [ReturnRequested(order_id=state.order_id, customer_id=state.customer_id, reason=reason, requested_at=now)]


def decide_receive_return(state: Order, *, products: dict[str, Product], now: datetime) -> Decided:
    require(state.order_id, _existing(state), OrderStatus.RETURNED, "receive the return of")
    received = ReturnReceived(
        order_id=state.order_id, customer_id=state.customer_id, received_at=now, refund_due_paise=state.paid_paise
    )
    moves = {
        sku: product.decide_take_back(products[sku], order_id=state.order_id, quantity=n) for sku, n in state.quantities
    }
    return [received], moves
