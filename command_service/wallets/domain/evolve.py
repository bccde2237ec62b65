"""Evolving a wallet: a pure fold of its events."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from command_service.wallets.domain.state import Payment, Wallet, WalletOwner
from shared.events import DomainEvent
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
)
from shared.wallets.periods import fy_key, month_key
from shared.wallets.values import PaymentStatus, TopupSource, WalletStatus


def _add(counts: dict[str, int], period: str, amount: int) -> dict[str, int]:
    return {**counts, period: counts.get(period, 0) + amount}


def _loaded(state: Wallet, amount: int, at: datetime, *, cash: bool) -> Wallet:
    month = month_key(at)
    return replace(
        state,
        balance_paise=state.balance_paise + amount,
        loads_by_month=_add(state.loads_by_month, month, amount),
        loads_by_fy=_add(state.loads_by_fy, fy_key(at), amount),
        cash_loads_by_month=_add(state.cash_loads_by_month, month, amount) if cash else state.cash_loads_by_month,
    )


def _settled(state: Wallet, payment_id: str, status: PaymentStatus, captured: int = 0) -> Wallet:
    payment = state.payments[payment_id]
    settled = payment._replace(status=status, captured_paise=captured)
    return replace(
        state,
        balance_paise=state.balance_paise - captured,
        held_paise=state.held_paise - payment.amount_paise,
        payments={**state.payments, payment_id: settled},
    )


def evolve(state: Wallet, event: DomainEvent) -> Wallet:
    match event:
        case WalletOpened():
            return Wallet(
                wallet_id=event.wallet_id,
                customer_id=event.customer_id,
                status=WalletStatus.ACTIVE,
                kyc_level=event.kyc_level,
            )
        case WalletKycUpgraded():
            return replace(state, kyc_level=event.to_level)
        case WalletToppedUp():
            return _loaded(state, event.amount_paise, event.occurred_at, cash=event.source is TopupSource.CASH)
        case WalletPaid() | WalletHoldPlaced():
            hold = isinstance(event, WalletHoldPlaced)
            expires_at = event.expires_at if isinstance(event, WalletHoldPlaced) else None
            payment = Payment(
                merchant_id=event.merchant_id,
                amount_paise=event.amount_paise,
                status=PaymentStatus.HELD if hold else PaymentStatus.PAID,
                order_id=event.order_id,
                expires_at=expires_at,
                captured_paise=0 if hold else event.amount_paise,
            )
            return replace(
                state,
                balance_paise=state.balance_paise - (0 if hold else event.amount_paise),
                held_paise=state.held_paise + (event.amount_paise if hold else 0),
                payments={**state.payments, event.payment_id: payment},
            )
        case WalletHoldCaptured():
            return _settled(state, event.payment_id, PaymentStatus.CAPTURED, event.captured_paise)
        case WalletHoldVoided():
            return _settled(state, event.payment_id, PaymentStatus.VOIDED)
        case WalletHoldExpired():
            return _settled(state, event.payment_id, PaymentStatus.EXPIRED)
        case WalletTransferSent():
            return replace(state, balance_paise=state.balance_paise - event.amount_paise)
        case WalletTransferReceived():
            return _loaded(state, event.amount_paise, event.occurred_at, cash=False)
        case WalletRefunded():
            payment = state.payments[event.payment_id]
            refunded = payment._replace(refunded_paise=payment.refunded_paise + event.amount_paise)
            return replace(
                state,
                balance_paise=state.balance_paise + event.amount_paise,
                payments={**state.payments, event.payment_id: refunded},
            )
        case WalletFrozen():
            return replace(state, status=WalletStatus.FROZEN)
        case WalletUnfrozen():
            return replace(state, status=WalletStatus.ACTIVE)
        case WalletClosed():
            return replace(state, status=WalletStatus.CLOSED, balance_paise=0)
    return state


def evolve_owner(state: WalletOwner, event: DomainEvent) -> WalletOwner:
    if isinstance(event, WalletOwnerRegistered):
        return WalletOwner(customer_id=event.customer_id, wallet_id=event.wallet_id)
    return state


def fold(state: Wallet, events: list[DomainEvent]) -> Wallet:
    for event in events:
        state = evolve(state, event)
    return state
