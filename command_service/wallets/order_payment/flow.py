"""Orders paid from the wallet, as a pure state machine: what the process manager knows about one
order (`OrderPayment`) and the step that follows from it (`next_step`).

The flow: `OrderPlaced` (payment method WALLET) -> find the customer's wallet (its owner index)
-> place a hold of the order's total (payment id = order id) -> once the hold is placed, record
the payment as captured on the order (`If-Match` on the order version seen: only an order still
waiting for payment is confirmed) -> on `OrderConfirmed`, capture the hold. No wallet, or a hold
the wallet refuses (insufficient balance, frozen, closed): record the payment as failed (the
payment saga then cancels the order). `OrderCancelled`, or an order paid some other way: void
the hold if it is still held.

Facts come from two writers that never overwrite each other: events (the order's status and
stream version, whether the wallet's capture paid it, the hold's state and wallet-stream version,
each guarded by its version, the amount its capture took, a late debit's amount) and the
manager's own results (the wallet found, the hold attempt, the report given to the order, the
refund). A step is derived from the facts each time, never stored, so a crash anywhere repeats
at most the last step, under the same idempotency key. The refund's precondition (cancelled,
money taken) never changes once true, so a refund whose answer a crash lost is derived and sent
again, and the wallet answers its first result: refunded once.

One window is closed by hand: a hold expires `hold_timeout` after it was placed and cannot be
captured after that. The payment is reported captured only while at least `margin` is left, so
the capture that follows `OrderConfirmed` has that long; if the manager was down for longer and
the hold expired, the order (confirmed, so the customer has been told it is paid) is paid by a
direct debit of the same amount (`LATE_DEBIT`), and one the wallet refuses is logged as unpaid.
The late debit is known from its `WalletPaid` event, not only from the step's answer: a debit
whose answer a crash lost while the order was being cancelled still wakes the order, and is
refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OrderState(StrEnum):
    AWAITING = "AWAITING"
    """Placed, waiting for payment (a failed attempt of another provider leaves it waiting)."""
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class HoldState(StrEnum):
    """The hold as the wallet's events tell it (NONE: no event seen yet)."""

    NONE = "NONE"
    HELD = "HELD"
    CAPTURED = "CAPTURED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


class Attempt(StrEnum):
    """The manager's hold request and the wallet's answer to it."""

    NONE = "NONE"
    PLACED = "PLACED"
    REFUSED = "REFUSED"


class Report(StrEnum):
    """What the manager has told the order."""

    NONE = "NONE"
    CAPTURED = "CAPTURED"
    FAILED = "FAILED"


class Refund(StrEnum):
    """The manager's refund of what the wallet took for a cancelled order, and the wallet's answer."""

    NONE = "NONE"
    REFUNDED = "REFUNDED"
    REFUSED = "REFUSED"
    """Closed, or over the balance cap (a refund is then made to the source), or refunded otherwise."""


class Step(StrEnum):
    FIND_WALLET = "FIND_WALLET"
    PLACE_HOLD = "PLACE_HOLD"
    REPORT_CAPTURED = "REPORT_CAPTURED"
    REPORT_FAILED = "REPORT_FAILED"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    LATE_DEBIT = "LATE_DEBIT"
    REFUND = "REFUND"


ORDER_EVENTS = {"OrderConfirmed": OrderState.CONFIRMED, "OrderCancelled": OrderState.CANCELLED}
"""Order events that change what the manager knows; every other order event only moves the version."""
HOLD_EVENTS = {
    "WalletHoldPlaced": HoldState.HELD,
    "WalletHoldCaptured": HoldState.CAPTURED,
    "WalletHoldVoided": HoldState.VOIDED,
    "WalletHoldExpired": HoldState.EXPIRED,
}


@dataclass(frozen=True)
class OrderPayment:
    order_id: str
    customer_id: str
    amount_paise: int
    placed_at: datetime
    order: OrderState = OrderState.AWAITING
    order_version: int = 0
    """The last version of the order's stream seen (the `If-Match` of the reports)."""
    paid: bool = False
    """The order recorded the wallet's capture (`PaymentCaptured` with `captured_reference`)."""
    wallet_id: str | None = None
    attempt: Attempt = Attempt.NONE
    reason: str | None = None
    """Why the payment failed (the wallet's refusal, or no wallet)."""
    hold: HoldState = HoldState.NONE
    hold_version: int = 0
    """The wallet-stream version of the last hold event applied."""
    expires_at: datetime | None = None
    captured_paise: int | None = None
    """What the hold's capture took (`WalletHoldCaptured.captured_paise`)."""
    debited_paise: int | None = None
    """What the late debit took (its `WalletPaid`, payment id `late_payment_id`); None: none seen."""
    report: Report = Report.NONE
    refund: Refund = Refund.NONE
    outcome: str | None = None
    """How it ended, once settled."""
    settled: bool = False
    retry_at: datetime | None = None
    """When to look again (None: at once)."""
    revision: int = 0
    """Bumped by every write: the manager's own writes compare-and-set on it."""


def next_step(p: OrderPayment, now: datetime, margin: timedelta) -> Step | None:
    """The step the facts call for, or None: nothing until another event arrives (pure)."""
    held = p.hold is HoldState.HELD
    if p.order is OrderState.CANCELLED:
        if held:
            return Step.VOID  # also when cancelled after confirmation but before the capture
        return Step.REFUND if p.refund is Refund.NONE and taken(p) is not None else None
    if p.order is OrderState.CONFIRMED:
        if not p.paid:
            return Step.VOID if held else None  # paid some other way: the hold is not needed
        if held:
            return Step.CAPTURE
        late = p.hold in (HoldState.VOIDED, HoldState.EXPIRED) and p.debited_paise is None
        return Step.LATE_DEBIT if late else None
    if p.report is Report.FAILED:
        return Step.VOID if held else None  # the payment saga cancels the order
    if p.report is Report.CAPTURED:
        return None  # the confirmation is on its way
    if held or p.hold is HoldState.CAPTURED:
        return Step.REPORT_FAILED if held and expiring(p, now, margin) else Step.REPORT_CAPTURED
    if p.hold is not HoldState.NONE or p.attempt is Attempt.REFUSED:
        return Step.REPORT_FAILED
    if p.attempt is Attempt.PLACED:
        return None  # the hold's event is on its way
    return Step.FIND_WALLET if p.wallet_id is None else Step.PLACE_HOLD


def taken(p: OrderPayment) -> tuple[str, int] | None:
    """The wallet payment that took the order's money and how much it took, or None: nothing taken."""
    if p.hold is HoldState.CAPTURED:
        return p.order_id, p.captured_paise if p.captured_paise is not None else p.amount_paise
    if p.debited_paise is not None:
        return late_payment_id(p.order_id), p.debited_paise
    return None


def late_payment_id(order_id: str) -> str:
    """The payment id of a late debit (the hold's is the order id)."""
    return f"{order_id}.late"


def refund_id(order_id: str) -> str:
    """The one refund of a cancelled order's wallet payment: the wallet records an id once."""
    return f"{order_id}.refund"


def captured_reference(order_id: str) -> str:
    """The `provider_reference` of the wallet's capture report: how its `PaymentCaptured` is known."""
    return f"wallet:{order_id}"


def failed_reference(order_id: str) -> str:
    return f"wallet:{order_id}:failed"


def expiring(p: OrderPayment, now: datetime, margin: timedelta) -> bool:
    return p.expires_at is not None and p.expires_at - now < margin


def failure_reason(p: OrderPayment, now: datetime, margin: timedelta) -> str:
    if p.reason:
        return p.reason
    if p.hold is HoldState.HELD and expiring(p, now, margin):
        return "wallet: the hold expires too soon to be captured"
    return f"wallet: the hold was {p.hold.value.lower()} before the order was paid"


def finished(p: OrderPayment, step: Step | None) -> bool:
    """Nothing left to do and nothing on its way: the order is decided and the hold, if one was
    placed, is seen settled (or captured)."""
    if step is not None or p.order is OrderState.AWAITING:
        return False
    return not (p.attempt is Attempt.PLACED and p.hold is HoldState.NONE)
