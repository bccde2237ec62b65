"""The order's state machine: every status, and the only steps allowed out of each.

Every decision on an order goes through `require`, so an illegal step is refused
the same way everywhere: 409, naming the current status and the allowed next ones.
The one exception is a payment report for an order that no longer waits for payment
(`SURPLUS_CAPTURE`): the money is owed back, so it is recorded, not refused.
"""

from __future__ import annotations

from command_service.commerce.domain.errors import IllegalTransitionError
from shared.commerce.events import SurplusCause
from shared.commerce.streams import OrderStatus

__all__ = ["SURPLUS_CAPTURE", "TERMINAL", "TRANSITIONS", "OrderStatus", "allowed_next", "require"]

S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.CONFIRMED, S.PAYMENT_FAILED, S.CANCELLED}),
    # A failed attempt may be followed by another attempt (failed or captured) until the saga cancels.
    S.PAYMENT_FAILED: frozenset({S.CONFIRMED, S.PAYMENT_FAILED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED}),
    S.RETURN_REQUESTED: frozenset({S.RETURNED}),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}

# A payment report for an order that no longer waits for one is not a step of the state
# machine: the status stays. A capture cannot pay for such an order, so the money is
# recorded as due back to the customer, for the cause given here; a failure changes
# nothing. Every status is either here or allows CONFIRMED (a capture that pays).
SURPLUS_CAPTURE: dict[OrderStatus, SurplusCause] = {
    S.CANCELLED: SurplusCause.ORDER_CANCELLED,
    S.CONFIRMED: SurplusCause.ALREADY_PAID,
    S.SHIPPED: SurplusCause.ALREADY_PAID,
    S.DELIVERED: SurplusCause.ALREADY_PAID,
    S.RETURN_REQUESTED: SurplusCause.ALREADY_PAID,
    S.RETURNED: SurplusCause.ALREADY_PAID,
}

TERMINAL = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)


def allowed_next(current: OrderStatus) -> list[str]:
    return sorted(TRANSITIONS[current])


def require(order_id: str, current: OrderStatus, target: OrderStatus, action: str) -> None:
    """Raise unless the order may go from `current` to `target`."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransitionError(order_id, action, current.value, allowed_next(current))
