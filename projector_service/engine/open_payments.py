"""UPI payments that left Bahi and wait for the switch, as an account's or a wallet's view lists
them (`pending_upi`): a debit with `leaves_bahi` opens one, its settlement (`…UpiSettled`) or its
credit back (`…UpiReversed`) closes it. The same rule as the aggregates' `upi_open`, which refuses
closing while one is open; each context's view names its own event types."""

from __future__ import annotations

from typing import Any

from shared.events import DomainEvent


def pending_upi(
    doc: dict[str, Any],
    event: DomainEvent,
    *,
    debited: type[DomainEvent],
    closed: tuple[type[DomainEvent], ...],
) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = doc.get("pending_upi", [])  # documents written before it had none
    if isinstance(event, debited) and getattr(event, "leaves_bahi", False):
        payment = {
            "payment_id": getattr(event, "payment_id"),  # noqa: B009 (the debit types have these fields)
            "rrn": getattr(event, "rrn"),  # noqa: B009
            "vpa": getattr(event, "vpa"),  # noqa: B009
            "payee_vpa": getattr(event, "payee_vpa"),  # noqa: B009
            "amount_paise": getattr(event, "amount_paise"),  # noqa: B009
            "debited_at": getattr(event, "occurred_at"),  # noqa: B009
        }
        return sorted([*pending, payment], key=lambda p: (p["debited_at"], p["payment_id"]))
    if isinstance(event, closed):
        gone = getattr(event, "payment_id")  # noqa: B009
        return [p for p in pending if p["payment_id"] != gone]
    return pending
