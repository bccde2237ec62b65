"""The account view: one document per account (`_id` = account id) — owner, number, type,
status, balance, the transfers with the clearing, the UPI payments waiting for the switch
(`pending_upi`), and the limits left in the current IST month
and financial year (`limits`). The balance is taken from the events (`balance_after_paise`),
never summed here, so the view cannot drift from the aggregate; its latest balances
(`_balances`, `projector_service.engine.balances`) answer "balance as of" a recent moment with
the view's one read by id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projector_service.engine import Document, Projection
from projector_service.engine.balances import balance_stamp, with_recent_balance
from projector_service.engine.open_payments import pending_upi
from projector_service.projections.banking import limits
from shared.banking.events import (
    AccountClosed,
    AccountDeposited,
    AccountFrozen,
    AccountMinimumBalanceCharged,
    AccountOpened,
    AccountTransferInitiated,
    AccountTransferReceived,
    AccountTransferReturned,
    AccountTransferSent,
    AccountTransferSettled,
    AccountUnfrozen,
    AccountUpiCredited,
    AccountUpiDebited,
    AccountUpiReversed,
    AccountUpiSettled,
    AccountWithdrawn,
)
from shared.banking.read_models import ACCOUNT_VIEW, list_key
from shared.banking.streams import ACCOUNT
from shared.banking.values import AccountStatus, AccountType
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == ACCOUNT.name else None


def _opened(event: AccountOpened) -> Document:
    return {
        "_id": event.account_id,
        "account_id": event.account_id,
        "account_number": event.account_number,
        "customer_id": event.customer_id,
        "holder_name": event.holder_name,
        "type": event.account_type.value,
        "branch_ifsc": event.branch_ifsc,
        "status": AccountStatus.ACTIVE.value,
        "status_reason": None,
        "pending_transfers": [],
        "opened_at": event.occurred_at,
        "closed_at": None,
        "list_key": list_key(event.occurred_at, event.account_id),
        "_counters": limits.no_counters(event.occurred_at),
    }


def _pending(doc: Document, event: DomainEvent) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = doc["pending_transfers"]
    if isinstance(event, AccountTransferInitiated):
        transfer = {
            "transfer_id": event.transfer_id,
            "rail": event.rail.value,
            "amount_paise": event.amount_paise,
            "to_account_number": event.to_account_number,
            "to_ifsc": event.to_ifsc,
            "initiated_at": event.occurred_at,
        }
        return sorted([*pending, transfer], key=lambda t: (t["initiated_at"], t["transfer_id"]))
    if isinstance(event, AccountTransferSettled | AccountTransferReturned):
        return [t for t in pending if t["transfer_id"] != event.transfer_id]
    return pending


def _changes(doc: Document, event: DomainEvent) -> Document:
    """What an event changes besides the balance and the time."""
    counters = doc["_counters"]
    match event:
        case AccountFrozen():
            return {**doc, "status": AccountStatus.FROZEN.value, "status_reason": event.reason}
        case AccountUnfrozen():
            return {**doc, "status": AccountStatus.ACTIVE.value, "status_reason": None}
        case AccountClosed():
            return {
                **doc,
                "status": AccountStatus.CLOSED.value,
                "status_reason": event.reason,
                "closed_at": event.occurred_at,
            }
        case AccountDeposited() | AccountTransferReceived() | AccountUpiCredited():
            return {**doc, "_counters": limits.credited(counters, event.occurred_at, event.amount_paise)}
        case AccountWithdrawn() | AccountTransferSent() | AccountUpiDebited():
            return {**doc, "_counters": limits.debited(counters, event.occurred_at, event.amount_paise)}
        case AccountTransferInitiated():
            counted = limits.debited(counters, event.occurred_at, event.amount_paise)
            return {**doc, "_counters": counted, "pending_transfers": _pending(doc, event)}
        case AccountTransferReturned():
            counted = limits.debited(counters, event.initiated_at, -event.amount_paise)
            return {**doc, "_counters": counted, "pending_transfers": _pending(doc, event)}
        case AccountTransferSettled():
            return {**doc, "pending_transfers": _pending(doc, event)}
        case AccountUpiReversed():  # the debit it undoes counts no more towards its month
            return {**doc, "_counters": limits.debited(counters, event.debited_at, -event.amount_paise)}
        case AccountMinimumBalanceCharged():
            return {**doc, "last_charge": {"month": event.month, "charged_paise": event.charged_paise}}
    return doc


_UPI_CLOSED = (AccountUpiSettled, AccountUpiReversed)


def _utc(moment: datetime) -> datetime:
    """A time as stored (MongoDB keeps UTC; a client without tz_aware reads it naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    stamped = balance_stamp(event)
    if stamped is None:
        return doc
    at, balance = stamped
    if isinstance(event, AccountOpened):
        doc = _opened(event)
    elif doc is None:
        return None  # an account's first event is its opening: nothing else can come first
    doc = {**doc, "pending_upi": pending_upi(doc, event, debited=AccountUpiDebited, closed=_UPI_CLOSED)}
    doc = with_recent_balance(_changes(doc, event), at, env.version, balance, env.event_type)
    before = doc.get("limits", {}).get("as_of")
    as_of = at if before is None else max(at, _utc(before))  # a late, earlier-dated event keeps the periods
    counters = limits.rolled(doc["_counters"], as_of)
    kind, status = AccountType(doc["type"]), AccountStatus(doc["status"])
    return {
        **doc,
        "balance_paise": balance,
        "pending_out_paise": sum(t["amount_paise"] for t in doc["pending_transfers"]),
        "pending_upi_paise": sum(p["amount_paise"] for p in doc["pending_upi"]),
        "updated_at": at,
        "_counters": counters,
        "limits": limits.limits(kind, status, balance, counters, as_of),
    }


ACCOUNT_VIEW_PROJECTION = Projection(
    name=ACCOUNT_VIEW, collection=ACCOUNT_VIEW, stream_types=(ACCOUNT.name,), doc_id=_doc_id, apply=apply
)
