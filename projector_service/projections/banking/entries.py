"""What each account event is as a statement entry: its `kind`, the amount it names, how it moves
the balance (`delta_paise`, signed), the movement's id and what a statement line shows. Pure.
Events that move no money (opening, freezing, a settlement, a charge wholly waived) are no
entries."""

from __future__ import annotations

from typing import Any

from shared.banking.events import (
    AccountDeposited,
    AccountMinimumBalanceCharged,
    AccountTransferInitiated,
    AccountTransferReceived,
    AccountTransferReturned,
    AccountTransferSent,
    AccountUpiCredited,
    AccountUpiDebited,
    AccountUpiReversed,
    AccountWithdrawn,
)
from shared.banking.values import StatementKind
from shared.events import DomainEvent

K = StatementKind


def _entry(kind: StatementKind, amount: int, delta: int, id_name: str, movement_id: str) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "amount_paise": amount,
        "delta_paise": delta,
        "movement_id": movement_id,
        id_name: movement_id,
    }


def entry(event: DomainEvent) -> dict[str, Any] | None:
    """The entry fields of a movement event, or None for an event that moves no money."""
    match event:
        case AccountDeposited():
            kind = _entry(K.DEPOSIT, event.amount_paise, event.amount_paise, "txn_id", event.txn_id)
            return {**kind, "mode": event.mode.value, "narration": event.narration}
        case AccountWithdrawn():
            kind = _entry(K.WITHDRAWAL, event.amount_paise, -event.amount_paise, "txn_id", event.txn_id)
            return {**kind, "mode": event.mode.value, "narration": event.narration}
        case AccountTransferInitiated():
            kind = _entry(K.TRANSFER_OUT, event.amount_paise, -event.amount_paise, "transfer_id", event.transfer_id)
            counterparty = {"to_account_number": event.to_account_number, "to_ifsc": event.to_ifsc}
            return {**kind, "rail": event.rail.value, **counterparty, "narration": event.narration}
        case AccountTransferReturned():
            kind = _entry(K.TRANSFER_RETURN, event.amount_paise, event.amount_paise, "transfer_id", event.transfer_id)
            return {**kind, "rail": event.rail.value, "reason": event.reason, "batch_id": event.batch_id}
        case AccountTransferSent():
            kind = _entry(K.INTERNAL_OUT, event.amount_paise, -event.amount_paise, "transfer_id", event.transfer_id)
            counterparty = {"to_account_id": event.to_account_id, "to_account_number": event.to_account_number}
            return {**kind, "rail": "INTERNAL", **counterparty, "narration": event.narration}
        case AccountTransferReceived():
            kind = _entry(K.INTERNAL_IN, event.amount_paise, event.amount_paise, "transfer_id", event.transfer_id)
            counterparty = {"from_account_id": event.from_account_id, "from_account_number": event.from_account_number}
            return {**kind, "rail": "INTERNAL", **counterparty, "narration": event.narration}
        case AccountUpiDebited():
            kind = _entry(K.UPI_OUT, event.amount_paise, -event.amount_paise, "payment_id", event.payment_id)
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payee_vpa": event.payee_vpa, "note": event.note}
        case AccountUpiCredited():
            kind = _entry(K.UPI_IN, event.amount_paise, event.amount_paise, "payment_id", event.payment_id)
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payer_vpa": event.payer_vpa, "note": event.note}
        case AccountUpiReversed():
            kind = _entry(K.UPI_REVERSAL, event.amount_paise, event.amount_paise, "payment_id", event.payment_id)
            return {**kind, "rrn": event.rrn, "vpa": event.vpa, "payee_vpa": event.payee_vpa, "reason": event.reason}
        case AccountMinimumBalanceCharged() if event.charged_paise > 0:
            kind = _entry(K.CHARGE, event.charged_paise, -event.charged_paise, "month", event.month)
            return {**kind, "average_balance_paise": event.average_balance_paise, "waived_paise": event.waived_paise}
    return None
