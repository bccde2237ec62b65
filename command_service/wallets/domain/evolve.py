"""Evolving a wallet: a pure fold of its events, one small function per event type.

`evolve` finds the function by the event's type (one dict lookup: a `match` over fifteen
class patterns made an `isinstance` check, through pydantic's ABC metaclass, per case on the
command path) and `_with` copies the frozen state with some fields changed (`shared.frozen`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from command_service.wallets.domain.state import Payment, Wallet, WalletOwner
from shared.events import DomainEvent
from shared.frozen import replacer
from shared.periods import fy_key, month_key
from shared.wallets.events import (
    WalletClosed,
    WalletFrozen,
    WalletHoldCaptured,
    WalletHoldExpired,
    WalletHoldPlaced,
    WalletHoldVoided,
    WalletKycUpgraded,
    WalletOpened,
    WalletOwnerRegistered,
    WalletPaid,
    WalletRefunded,
    WalletToppedUp,
    WalletTransferReceived,
    WalletTransferSent,
    WalletUnfrozen,
    WalletUpiCredited,
    WalletUpiDebited,
    WalletUpiReversed,
    WalletUpiSettled,
)
from shared.wallets.values import PaymentStatus, TopupSource, WalletStatus

_with = replacer(Wallet)


def _upi_debited(state: Wallet, event: WalletUpiDebited) -> Wallet:
    balance = state.balance_paise - event.amount_paise
    if not event.leaves_bahi:
        return _with(state, balance_paise=balance)
    return _with(state, balance_paise=balance, upi_open={**state.upi_open, event.payment_id: event.amount_paise})


def _upi_closed(state: Wallet, payment_id: str) -> dict[str, int]:
    return {k: v for k, v in state.upi_open.items() if k != payment_id}


def _add(counts: dict[str, int], period: str, amount: int) -> dict[str, int]:
    return {**counts, period: counts.get(period, 0) + amount}


def _loaded(state: Wallet, amount: int, at: datetime, *, cash: bool) -> Wallet:
    month = month_key(at)
    return _with(
        state,
        balance_paise=state.balance_paise + amount,
        loads_by_month=_add(state.loads_by_month, month, amount),
        loads_by_fy=_add(state.loads_by_fy, fy_key(at), amount),
        cash_loads_by_month=_add(state.cash_loads_by_month, month, amount) if cash else state.cash_loads_by_month,
    )


def _settled(state: Wallet, payment_id: str, status: PaymentStatus, captured: int = 0) -> Wallet:
    payment = state.payments[payment_id]
    settled = payment._replace(status=status, captured_paise=captured)
    return _with(
        state,
        balance_paise=state.balance_paise - captured,
        held_paise=state.held_paise - payment.amount_paise,
        payments={**state.payments, payment_id: settled},
    )


def _opened(state: Wallet, event: WalletOpened) -> Wallet:
    return Wallet(
        wallet_id=event.wallet_id,
        customer_id=event.customer_id,
        status=WalletStatus.ACTIVE,
        kyc_level=event.kyc_level,
    )


def _paid(state: Wallet, event: WalletPaid | WalletHoldPlaced) -> Wallet:
    hold = isinstance(event, WalletHoldPlaced)
    payment = Payment(
        merchant_id=event.merchant_id,
        amount_paise=event.amount_paise,
        status=PaymentStatus.HELD if hold else PaymentStatus.PAID,
        order_id=event.order_id,
        expires_at=event.expires_at if isinstance(event, WalletHoldPlaced) else None,
        captured_paise=0 if hold else event.amount_paise,
    )
    return _with(
        state,
        balance_paise=state.balance_paise - (0 if hold else event.amount_paise),
        held_paise=state.held_paise + (event.amount_paise if hold else 0),
        payments={**state.payments, event.payment_id: payment},
    )


def _refunded(state: Wallet, event: WalletRefunded) -> Wallet:
    payment = state.payments[event.payment_id]
    refunded = payment._replace(refunded_paise=payment.refunded_paise + event.amount_paise)
    return _with(
        state,
        balance_paise=state.balance_paise + event.amount_paise,
        payments={**state.payments, event.payment_id: refunded},
    )


_EVOLVE: dict[type[DomainEvent], Callable[[Wallet, Any], Wallet]] = {
    WalletOpened: _opened,
    WalletKycUpgraded: lambda s, e: _with(s, kyc_level=e.to_level),
    WalletToppedUp: lambda s, e: _loaded(s, e.amount_paise, e.occurred_at, cash=e.source is TopupSource.CASH),
    WalletPaid: _paid,
    WalletHoldPlaced: _paid,
    WalletHoldCaptured: lambda s, e: _settled(s, e.payment_id, PaymentStatus.CAPTURED, e.captured_paise),
    WalletHoldVoided: lambda s, e: _settled(s, e.payment_id, PaymentStatus.VOIDED),
    WalletHoldExpired: lambda s, e: _settled(s, e.payment_id, PaymentStatus.EXPIRED),
    WalletTransferSent: lambda s, e: _with(s, balance_paise=s.balance_paise - e.amount_paise),
    WalletTransferReceived: lambda s, e: _loaded(s, e.amount_paise, e.occurred_at, cash=False),
    WalletRefunded: _refunded,
    WalletUpiDebited: _upi_debited,
    WalletUpiCredited: lambda s, e: _loaded(s, e.amount_paise, e.occurred_at, cash=False),
    WalletUpiReversed: lambda s, e: _with(
        s, balance_paise=s.balance_paise + e.amount_paise, upi_open=_upi_closed(s, e.payment_id)
    ),
    WalletUpiSettled: lambda s, e: _with(s, upi_open=_upi_closed(s, e.payment_id)),
    WalletFrozen: lambda s, e: _with(s, status=WalletStatus.FROZEN),
    WalletUnfrozen: lambda s, e: _with(s, status=WalletStatus.ACTIVE),
    WalletClosed: lambda s, e: _with(s, status=WalletStatus.CLOSED, balance_paise=0),
}


def evolve(state: Wallet, event: DomainEvent) -> Wallet:
    step = _EVOLVE.get(type(event))
    return step(state, event) if step is not None else state


def evolve_owner(state: WalletOwner, event: DomainEvent) -> WalletOwner:
    if isinstance(event, WalletOwnerRegistered):
        return WalletOwner(customer_id=event.customer_id, wallet_id=event.wallet_id)
    return state


def fold(state: Wallet, events: list[DomainEvent]) -> Wallet:
    for event in events:
        state = evolve(state, event)
    return state
