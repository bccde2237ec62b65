"""What each wallet event is as a statement entry: its `kind`, the amount it names, how it moves
the balance (`delta_paise`, signed), the client-chosen id under its own name and the details a
statement line shows. Pure; shared by the statement (and by nothing that needs a fold: every
wallet event carries the balance after it).

A hold moves no balance (the money stays, it only leaves `available`), so HOLD, VOID and EXPIRY
entries have `delta_paise` 0; a capture takes the captured part out of the balance. Events that
move no money (opening, KYC, freezing, a close with nothing to pay out) are no entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.events import DomainEvent
from shared.wallets.events import (
    WalletClosed,
    WalletHoldCaptured,
    WalletHoldExpired,
    WalletHoldPlaced,
    WalletHoldVoided,
    WalletPaid,
    WalletRefunded,
    WalletToppedUp,
    WalletTransferReceived,
    WalletTransferSent,
    WalletUpiCredited,
    WalletUpiDebited,
    WalletUpiReversed,
)
from shared.wallets.values import StatementKind

EntryKind = StatementKind


@dataclass(frozen=True)
class Stamp:
    """What every wallet event carries: when it happened and the balance (and, for events moving
    held money, the held total) once it applied."""

    at: datetime
    balance_after_paise: int
    held_after_paise: int | None = None


def stamp(event: DomainEvent) -> Stamp | None:
    """The event's stamp; None for an event of another stream (the owner index has no balance)."""
    at = getattr(event, "occurred_at", None)
    balance = getattr(event, "balance_after_paise", None)
    if not isinstance(at, datetime) or not isinstance(balance, int):
        return None
    held = getattr(event, "held_after_paise", None)
    return Stamp(at, balance, held if isinstance(held, int) else None)


def _entry(kind: EntryKind, amount: int, delta: int, id_name: str | None, movement_id: str | None) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": kind.value, "amount_paise": amount, "delta_paise": delta}
    base["movement_id"] = movement_id
    if id_name is not None:
        base[id_name] = movement_id
    return base


def _merchant(event: WalletPaid | WalletHoldPlaced | WalletHoldCaptured | WalletRefunded) -> dict[str, Any]:
    fields: dict[str, Any] = {"merchant_id": event.merchant_id}
    if isinstance(event, WalletPaid | WalletHoldPlaced):
        fields["order_id"] = event.order_id
    return fields


def entry(event: DomainEvent) -> dict[str, Any] | None:
    """The entry fields of a movement event, or None for an event that moves no money."""
    match event:
        case WalletToppedUp():
            kind = _entry(EntryKind.TOPUP, event.amount_paise, event.amount_paise, "topup_id", event.topup_id)
            return {**kind, "source": event.source.value, "reference": event.reference}
        case WalletPaid():
            kind = _entry(EntryKind.PAYMENT, event.amount_paise, -event.amount_paise, "payment_id", event.payment_id)
            return {**kind, **_merchant(event)}
        case WalletHoldPlaced():
            kind = _entry(EntryKind.HOLD, event.amount_paise, 0, "payment_id", event.payment_id)
            return {**kind, **_merchant(event), "expires_at": event.expires_at}
        case WalletHoldCaptured():
            kind = _entry(
                EntryKind.CAPTURE, event.captured_paise, -event.captured_paise, "payment_id", event.payment_id
            )
            return {**kind, **_merchant(event), "released_paise": event.released_paise}
        case WalletHoldVoided():
            kind = _entry(EntryKind.VOID, event.released_paise, 0, "payment_id", event.payment_id)
            return {**kind, "merchant_id": event.merchant_id}
        case WalletHoldExpired():
            kind = _entry(EntryKind.EXPIRY, event.released_paise, 0, "payment_id", event.payment_id)
            return {**kind, "merchant_id": event.merchant_id, "expired_at": event.expired_at}
        case WalletTransferSent():
            kind = _entry(
                EntryKind.TRANSFER_OUT, event.amount_paise, -event.amount_paise, "transfer_id", event.transfer_id
            )
            return {**kind, "to_wallet_id": event.to_wallet_id, "note": event.note}
        case WalletTransferReceived():
            kind = _entry(
                EntryKind.TRANSFER_IN, event.amount_paise, event.amount_paise, "transfer_id", event.transfer_id
            )
            return {**kind, "from_wallet_id": event.from_wallet_id, "note": event.note}
        case WalletRefunded():
            kind = _entry(EntryKind.REFUND, event.amount_paise, event.amount_paise, "refund_id", event.refund_id)
            return {**kind, **_merchant(event), "payment_id": event.payment_id}
        case WalletUpiDebited():
            kind = _entry(EntryKind.UPI_OUT, event.amount_paise, -event.amount_paise, "payment_id", event.payment_id)
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payee_vpa": event.payee_vpa, "note": event.note}
        case WalletUpiCredited():
            kind = _entry(EntryKind.UPI_IN, event.amount_paise, event.amount_paise, "payment_id", event.payment_id)
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payer_vpa": event.payer_vpa, "note": event.note}
        case WalletUpiReversed():
            kind = _entry(
                EntryKind.UPI_REVERSAL, event.amount_paise, event.amount_paise, "payment_id", event.payment_id
            )
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payee_vpa": event.payee_vpa, "reason": event.reason}
        case WalletClosed() if event.paid_out_paise > 0:
            kind = _entry(EntryKind.PAYOUT, event.paid_out_paise, -event.paid_out_paise, None, None)
            account = event.to_bank_account
            return {**kind, "to_bank_account_last4": account[-4:] if account else None}
    return None
