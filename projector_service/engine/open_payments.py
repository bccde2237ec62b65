"""UPI payments that left Bahi and wait for the switch, as an account's or a wallet's view lists
them (`pending_upi`): a debit with `leaves_bahi` opens one, its settlement (`…UpiSettled`) or its
credit back (`…UpiReversed`) closes it. The same rule as the aggregates' `upi_open`, which refuses
closing while one is open; each context's view names its own event types, which have the fields
`UpiDebit` and `UpiClosing` name (mypy checks each view's against them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.events import DomainEvent


class UpiDebit(Protocol):
    """A context's UPI debit event (`AccountUpiDebited`, `WalletUpiDebited`)."""

    @property
    def payment_id(self) -> str: ...
    @property
    def rrn(self) -> str: ...
    @property
    def vpa(self) -> str: ...
    @property
    def payee_vpa(self) -> str: ...
    @property
    def amount_paise(self) -> int: ...
    @property
    def leaves_bahi(self) -> bool: ...
    @property
    def occurred_at(self) -> datetime: ...


class UpiClosing(Protocol):
    """A context's event closing an open UPI debit (its `…UpiSettled`, its `…UpiReversed`)."""

    @property
    def payment_id(self) -> str: ...


def pending_upi(
    doc: dict[str, Any],
    event: DomainEvent,
    *,
    debited: type[UpiDebit],
    closed: tuple[type[UpiClosing], ...],
) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = doc.get("pending_upi", [])  # documents written before it had none
    if isinstance(event, debited):
        if not event.leaves_bahi:
            return pending
        payment = {
            "payment_id": event.payment_id,
            "rrn": event.rrn,
            "vpa": event.vpa,
            "payee_vpa": event.payee_vpa,
            "amount_paise": event.amount_paise,
            "debited_at": event.occurred_at,
        }
        return sorted([*pending, payment], key=lambda p: (p["debited_at"], p["payment_id"]))
    if isinstance(event, closed):
        return [p for p in pending if p["payment_id"] != event.payment_id]
    return pending
