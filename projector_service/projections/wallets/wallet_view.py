"""The wallet view: one document per wallet (`_id` = wallet id) — owner, status, KYC level,
balance, held and available money, the open holds, the UPI payments waiting for the switch
(`pending_upi`), and the loads and headroom of the current
IST month and financial year (`headroom`). Balances are taken from the events
(`balance_after_paise`, `held_after_paise`), never summed here, so the view cannot drift from
the aggregate. Its last `RECENT_BALANCES` balances (`_balances`) answer "balance as of" a recent
moment with the view's one read by id (`projector_service.engine.balances`, generic); older
moments are the balance history's query."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projector_service.engine import Document, Projection
from projector_service.engine.balances import with_recent_balance
from projector_service.engine.open_payments import pending_upi
from projector_service.projections.wallets import headroom as limits
from projector_service.projections.wallets.entries import stamp
from shared.envelope import EventEnvelope
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
    WalletToppedUp,
    WalletTransferReceived,
    WalletUnfrozen,
    WalletUpiCredited,
    WalletUpiDebited,
    WalletUpiReversed,
    WalletUpiSettled,
)
from shared.wallets.read_models import WALLET_VIEW
from shared.wallets.streams import WALLET
from shared.wallets.values import KycLevel, TopupSource, WalletStatus


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == WALLET.name else None


def _opened(event: WalletOpened) -> Document:
    return {
        "_id": event.wallet_id,
        "wallet_id": event.wallet_id,
        "customer_id": event.customer_id,
        "mobile": event.mobile,
        "status": WalletStatus.ACTIVE.value,
        "status_reason": None,
        "kyc_level": event.kyc_level.value,
        "kyc_document_type": None,
        "open_holds": [],
        "opened_at": event.occurred_at,
        "closed_at": None,
        "_loads": limits.no_loads(event.occurred_at),
    }


def _holds(doc: Document, event: DomainEvent) -> list[dict[str, Any]]:
    holds: list[dict[str, Any]] = doc["open_holds"]
    if isinstance(event, WalletHoldPlaced):
        hold = {
            "payment_id": event.payment_id,
            "merchant_id": event.merchant_id,
            "order_id": event.order_id,
            "amount_paise": event.amount_paise,
            "placed_at": event.occurred_at,
            "expires_at": event.expires_at,
        }
        return sorted([*holds, hold], key=lambda h: (h["expires_at"], h["payment_id"]))
    if isinstance(event, WalletHoldCaptured | WalletHoldVoided | WalletHoldExpired):
        return [h for h in holds if h["payment_id"] != event.payment_id]
    return holds


def _changes(doc: Document, event: DomainEvent) -> Document:
    """What an event changes besides the money figures and the time."""
    match event:
        case WalletKycUpgraded():
            return {**doc, "kyc_level": event.to_level.value, "kyc_document_type": event.document_type.value}
        case WalletFrozen():
            return {**doc, "status": WalletStatus.FROZEN.value, "status_reason": event.reason}
        case WalletUnfrozen():
            return {**doc, "status": WalletStatus.ACTIVE.value, "status_reason": None}
        case WalletClosed():
            return {
                **doc,
                "status": WalletStatus.CLOSED.value,
                "status_reason": event.reason,
                "closed_at": event.occurred_at,
            }
        case WalletToppedUp():
            cash = event.source is TopupSource.CASH
            return {**doc, "_loads": limits.loaded(doc["_loads"], event.occurred_at, event.amount_paise, cash=cash)}
        case WalletTransferReceived() | WalletUpiCredited():
            return {**doc, "_loads": limits.loaded(doc["_loads"], event.occurred_at, event.amount_paise, cash=False)}
    return {**doc, "open_holds": _holds(doc, event)}


_UPI_CLOSED = (WalletUpiSettled, WalletUpiReversed)


def _utc(moment: datetime) -> datetime:
    """A time as stored (MongoDB keeps UTC; a client without tz_aware reads it naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _latest(at: datetime, before: datetime | None) -> datetime:
    """The later of the event's time and the headroom's until now (a late, earlier-dated event
    does not take the periods back)."""
    if before is None:
        return at
    return max(at, _utc(before))


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    stamped = stamp(event)
    if stamped is None:
        return doc
    if isinstance(event, WalletOpened):
        doc = {**_opened(event), "held_paise": 0}
    elif doc is None:
        return None  # a wallet's first event is its opening: nothing else can come first
    doc = {**doc, "pending_upi": pending_upi(doc, event, debited=WalletUpiDebited, closed=_UPI_CLOSED)}
    doc = with_recent_balance(
        _changes(doc, event), stamped.at, env.version, stamped.balance_after_paise, env.event_type
    )
    held = doc["held_paise"] if stamped.held_after_paise is None else stamped.held_after_paise
    as_of = _latest(stamped.at, doc.get("headroom", {}).get("as_of"))
    loads = limits.rolled(doc["_loads"], as_of)
    balance = stamped.balance_after_paise
    kyc, status = KycLevel(doc["kyc_level"]), WalletStatus(doc["status"])
    return {
        **doc,
        "balance_paise": balance,
        "held_paise": held,
        "available_paise": balance - held,
        "pending_upi_paise": sum(p["amount_paise"] for p in doc["pending_upi"]),
        "updated_at": stamped.at,
        "_loads": loads,
        "headroom": limits.headroom(kyc, status, balance, loads, as_of),
    }


WALLET_VIEW_PROJECTION = Projection(
    name=WALLET_VIEW, collection=WALLET_VIEW, stream_types=(WALLET.name,), doc_id=_doc_id, apply=apply
)
