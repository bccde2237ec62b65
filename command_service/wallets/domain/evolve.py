"""Evolving a wallet: a pure fold of its events. Each movement event also records its id, the
fingerprint of its body and its first answer (`Wallet.movements`), the same fields `decide`
fingerprints, so a replayed request is recognised after a reload, a snapshot or a restart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from command_service.wallets.domain.idempotency import fingerprint, key
from command_service.wallets.domain.state import Movement, Payment, Result, Wallet, WalletOwner
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


def _recorded(state: Wallet, kind: str, movement_id: str, fields: Mapping[str, object], result: Result) -> Wallet:
    answer: Result = {
        "wallet_id": state.wallet_id,
        **result,
        "balance_paise": state.balance_paise,
        "held_paise": state.held_paise,
        "available_paise": state.available_paise,
    }
    movements = {**state.movements, key(kind, movement_id): Movement(fingerprint(fields), answer)}
    return replace(state, movements=movements)


def _settled(state: Wallet, payment_id: str, status: PaymentStatus, captured: int = 0) -> Wallet:
    payment = state.payments[payment_id]
    settled = replace(payment, status=status, captured_paise=captured)
    return replace(
        state,
        balance_paise=state.balance_paise - captured,
        held_paise=state.held_paise - payment.amount_paise,
        payments={**state.payments, payment_id: settled},
    )


def payment_fields(merchant_id: str, amount_paise: int, order_id: str | None, hold: bool) -> dict[str, object]:
    return {"merchant_id": merchant_id, "amount_paise": amount_paise, "order_id": order_id, "hold": hold}


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
            state = _loaded(state, event.amount_paise, event.occurred_at, cash=event.source is TopupSource.CASH)
            fields: Result = {
                "amount_paise": event.amount_paise,
                "source": event.source.value,
                "reference": event.reference,
            }
            return _recorded(state, "topup", event.topup_id, fields, {"topup_id": event.topup_id, **fields})
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
            state = replace(
                state,
                balance_paise=state.balance_paise - (0 if hold else event.amount_paise),
                held_paise=state.held_paise + (event.amount_paise if hold else 0),
                payments={**state.payments, event.payment_id: payment},
            )
            body = payment_fields(event.merchant_id, event.amount_paise, event.order_id, hold)
            result: Result = {
                "payment_id": event.payment_id,
                "merchant_id": event.merchant_id,
                "order_id": event.order_id,
                "amount_paise": event.amount_paise,
                "payment_status": payment.status.value,
                "expires_at": expires_at.isoformat() if expires_at else None,
            }
            return _recorded(state, "payment", event.payment_id, body, result)
        case WalletHoldCaptured():
            state = _settled(state, event.payment_id, PaymentStatus.CAPTURED, event.captured_paise)
            result = {
                "payment_id": event.payment_id,
                "payment_status": PaymentStatus.CAPTURED.value,
                "captured_paise": event.captured_paise,
                "released_paise": event.released_paise,
            }
            return _recorded(state, "capture", event.payment_id, {"amount_paise": event.captured_paise}, result)
        case WalletHoldVoided():
            state = _settled(state, event.payment_id, PaymentStatus.VOIDED)
            result = {
                "payment_id": event.payment_id,
                "payment_status": PaymentStatus.VOIDED.value,
                "released_paise": event.released_paise,
            }
            return _recorded(state, "void", event.payment_id, {}, result)
        case WalletHoldExpired():
            return _settled(state, event.payment_id, PaymentStatus.EXPIRED)
        case WalletTransferSent():
            state = replace(state, balance_paise=state.balance_paise - event.amount_paise)
            fields = {"to_wallet_id": event.to_wallet_id, "amount_paise": event.amount_paise, "note": event.note}
            return _recorded(state, "transfer", event.transfer_id, fields, {"transfer_id": event.transfer_id, **fields})
        case WalletTransferReceived():
            # The sender's stream holds the transfer id; the receiver only counts the load.
            return _loaded(state, event.amount_paise, event.occurred_at, cash=False)
        case WalletRefunded():
            payment = state.payments[event.payment_id]
            refunded = replace(payment, refunded_paise=payment.refunded_paise + event.amount_paise)
            state = replace(
                state,
                balance_paise=state.balance_paise + event.amount_paise,
                payments={**state.payments, event.payment_id: refunded},
            )
            fields = {"payment_id": event.payment_id, "amount_paise": event.amount_paise}
            return _recorded(state, "refund", event.refund_id, fields, {"refund_id": event.refund_id, **fields})
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
