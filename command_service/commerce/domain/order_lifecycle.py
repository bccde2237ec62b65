"""The Order's life after placing: payment, shipment, delivery, cancellation and return.

Each decision goes through the state machine (`order_status.require`); the ones
that move stock also decide the product events (release on cancellation, ship,
restock on a received return), which the handler appends in the same transaction.

A capture that arrives when the order no longer waits for payment (cancelled by the
saga's timeout before a late UPI callback, or paid already by another capture) is
recorded as a `SurplusPaymentCaptured` whose amount is due back to the customer; the
order keeps its status and its stock. Captures are idempotent by provider reference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from command_service.commerce.domain import product
from command_service.commerce.domain.errors import OrderNotFoundError, PaymentMismatchError, ReturnWindowClosedError
from command_service.commerce.domain.order import Decided, Order
from command_service.commerce.domain.order_status import SURPLUS_CAPTURE, OrderStatus, require
from command_service.commerce.domain.product import Product
from shared.commerce.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    ReturnReceived,
    ReturnRequested,
    SurplusPaymentCaptured,
)
from shared.events import DomainEvent

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
    """A payment provider's report. An empty list means there is nothing to record: the same
    capture delivered again, or a failure reported for an order that no longer waits for payment."""
    status = _existing(state)
    if not state.payment_method.prepaid:
        raise PaymentMismatchError(f"order {state.order_id} is cash on delivery: it is paid on delivery")
    ids = {"order_id": state.order_id, "customer_id": state.customer_id}
    if not captured:
        if status in SURPLUS_CAPTURE:
            return []  # e.g. an earlier attempt's late failure: no money moved, nothing to change
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
    if _already_captured(state, provider_reference, amount_paise):
        return []
    if amount_paise != state.total_paise:
        raise PaymentMismatchError(
            f"order {state.order_id} totals {state.total_paise} paise, the payment was {amount_paise}",
            field="amount_paise",
            expected_paise=state.total_paise,
            amount_paise=amount_paise,
        )
    cause = SURPLUS_CAPTURE.get(status)
    if cause is not None:
        return [
            SurplusPaymentCaptured(
                **ids,
                amount_paise=amount_paise,
                provider_reference=provider_reference,
                captured_at=now,
                cause=cause,
                refund_due_paise=amount_paise,
            )
        ]
    require(state.order_id, status, OrderStatus.CONFIRMED, "capture a payment for")
    return [
        PaymentCaptured(**ids, amount_paise=amount_paise, provider_reference=provider_reference, captured_at=now),
        OrderConfirmed(**ids, confirmed_at=now),
    ]


def _already_captured(state: Order, provider_reference: str, amount_paise: int) -> bool:
    """True when this capture is recorded already; a reference reused for another amount is refused."""
    recorded = dict(state.captures).get(provider_reference)
    if recorded is None:
        return False
    if recorded != amount_paise:
        raise PaymentMismatchError(
            f"order {state.order_id}: capture {provider_reference} was recorded with {recorded} paise, "
            f"not {amount_paise}",
            field="amount_paise",
            provider_reference=provider_reference,
            recorded_paise=recorded,
            amount_paise=amount_paise,
        )
    return True


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
