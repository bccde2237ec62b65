"""Settling a hold: capture (all of it or part, the rest released), void, or expiry.

A hold is capturable until `expires_at` (exclusive): from that moment it is expired, whether
or not the hold-expiry process manager has sent `ExpireHold` yet, and a capture is a 409
saying when it expired. Capture and void are idempotent by payment id (the dispatcher answers
a second capture with the same body with the first's answer); `ExpireHold` for a hold already settled decides nothing,
so the process manager may send it late or twice.
"""

from __future__ import annotations

from datetime import datetime

from command_service.wallets.domain import rules
from command_service.wallets.domain.errors import (
    CaptureExceedsHoldError,
    HoldExpiredError,
    HoldNotDueError,
    PaymentNotFoundError,
    PaymentStateError,
)
from command_service.wallets.domain.lifecycle import existing
from command_service.wallets.domain.state import Payment, Wallet
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.wallets.events import WalletHoldCaptured, WalletHoldExpired, WalletHoldVoided
from shared.wallets.values import PaymentStatus


def _payment(state: Wallet, payment_id: str) -> Payment:
    existing(state)
    payment = state.payments.get(payment_id)
    if payment is None:
        raise PaymentNotFoundError(f"wallet {state.wallet_id} has no payment {payment_id}", payment_id=payment_id)
    return payment


def _deadline(payment: Payment) -> datetime:
    assert payment.expires_at is not None  # every hold has one
    return payment.expires_at


def decide_capture(
    state: Wallet, *, payment_id: str, amount_paise: int | None, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    """`amount_paise` None captures the whole hold."""
    payment = _payment(state, payment_id)
    amount = payment.amount_paise if amount_paise is None else amount_paise
    if payment.status is PaymentStatus.EXPIRED or (payment.open_hold and now >= _deadline(payment)):
        raise HoldExpiredError(payment_id, _deadline(payment))
    if not payment.open_hold:
        raise PaymentStateError(payment_id, "capture", payment.status.value)
    if amount > payment.amount_paise:
        raise CaptureExceedsHoldError(payment_id, payment.amount_paise, amount)
    # The money is held for this capture already: only the status rules (frozen, closed) apply.
    rules.enforce(amount, rules.debit(state, now, policy, held=True))
    captured = WalletHoldCaptured(
        wallet_id=state.wallet_id,
        payment_id=payment_id,
        merchant_id=payment.merchant_id,
        captured_paise=amount,
        released_paise=payment.amount_paise - amount,
        balance_after_paise=state.balance_paise - amount,
        held_after_paise=state.held_paise - payment.amount_paise,
        occurred_at=now,
    )
    return [captured]


def decide_void(state: Wallet, *, payment_id: str, now: datetime) -> list[DomainEvent]:
    """Releases the hold (also one past its deadline whose expiry is not recorded yet)."""
    payment = _payment(state, payment_id)
    if not payment.open_hold:
        raise PaymentStateError(payment_id, "void", payment.status.value)
    voided = WalletHoldVoided(
        wallet_id=state.wallet_id,
        payment_id=payment_id,
        merchant_id=payment.merchant_id,
        released_paise=payment.amount_paise,
        balance_after_paise=state.balance_paise,
        held_after_paise=state.held_paise - payment.amount_paise,
        occurred_at=now,
    )
    return [voided]


def decide_expire(state: Wallet, *, payment_id: str, now: datetime) -> list[DomainEvent]:
    payment = _payment(state, payment_id)
    if payment.status is PaymentStatus.PAID:
        raise PaymentStateError(payment_id, "expire", payment.status.value)
    if not payment.open_hold:
        return []  # captured, voided or expired already: the process manager was late or repeated itself
    if now < _deadline(payment):
        raise HoldNotDueError(payment_id, _deadline(payment))
    expired = WalletHoldExpired(
        wallet_id=state.wallet_id,
        payment_id=payment_id,
        merchant_id=payment.merchant_id,
        released_paise=payment.amount_paise,
        expired_at=_deadline(payment),
        balance_after_paise=state.balance_paise,
        held_after_paise=state.held_paise - payment.amount_paise,
        occurred_at=now,
    )
    return [expired]
