"""The wallets context's documents as the API shows them: the wallet view, the balance at a
moment (from the view's recent balances, else one indexed query on `wallet_balance_history`)
and a merchant's settlement for a day."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import DocumentLoader
from shared.read_models import CollectionResolver
from shared.wallets.read_models import (
    MERCHANT_SETTLEMENTS,
    WALLET_BALANCE_HISTORY,
    WALLET_VIEW,
    time_key,
)


class HoldView(BaseModel):
    payment_id: str
    merchant_id: str
    order_id: str | None = None
    amount_paise: int
    placed_at: datetime
    expires_at: datetime


class LimitView(BaseModel):
    rule: str
    """The policy rule's name, as a refusal names it (`shared.wallets.policy`)."""
    period: str | None
    """The IST month ("2025-03") or financial year ("FY2024-25") counted; None: at any time."""
    limit_paise: int
    used_paise: int
    headroom_paise: int


class HeadroomView(BaseModel):
    """As of the wallet's last event (`as_of`), in the periods named by `month` and `fy`."""

    as_of: datetime
    month: str
    fy: str
    load_paise: int
    """The largest top-up every limit would let through (0 for a closed wallet)."""
    cash_load_paise: int
    limits: list[LimitView]


class WalletView(BaseModel):
    wallet_id: str
    customer_id: str
    mobile: str
    status: str
    status_reason: str | None = None
    kyc_level: str
    kyc_document_type: str | None = None
    balance_paise: int
    held_paise: int
    available_paise: int
    open_holds: list[HoldView]
    headroom: HeadroomView
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    version: int


async def get_wallet(loader: DocumentLoader, wallet_id: str) -> WalletView | None:
    doc = await loader.get(WALLET_VIEW, wallet_id)
    return WalletView.model_validate(doc) if doc else None


class BalanceView(BaseModel):
    wallet_id: str
    as_of: datetime | None
    """The moment asked (None: now, as far as the history has been projected)."""
    balance_paise: int
    since: datetime
    """When the balance became this: the time of the event that left it so."""
    version: int
    """That event's version in the wallet's stream."""
    event: str


class BeforeOpening(LookupError):
    """The wallet exists, but not yet at the moment asked."""

    def __init__(self, opened_at: datetime) -> None:
        super().__init__(opened_at)
        self.opened_at = opened_at


_FIELDS = {"_id": 0, "balance_after_paise": 1, "occurred_at": 1, "version": 1, "event": 1}


def recent_balance(view: Mapping[str, Any], wallet_id: str, as_of: datetime | None) -> BalanceView | None:
    """The balance at `as_of` from the wallet view's recent balances (`_balances`), when they
    reach back to it; None when the moment is older than they are (the history answers);
    raises `BeforeOpening` for a moment before the opening."""
    entries = view.get("_balances")
    if not entries:
        return None
    found = entries[-1]
    if as_of is not None:
        # The entries are in sort-key order, time first: those timed at or before `as_of` are
        # exactly those whose sort key the history's bound (`time_key(as_of) + "}"`) admits.
        at = bisect_right(entries, time_key(as_of), key=lambda e: e[0])
        if at == 0:
            if view.get("_balances_from_opening"):
                raise BeforeOpening(_utc(entries[0][4]))
            return None
        found = entries[at - 1]
    _, version, balance, event, occurred_at = found
    return BalanceView(
        wallet_id=wallet_id, as_of=as_of, balance_paise=balance, since=_utc(occurred_at), version=version, event=event
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def balance_as_of(
    db: AsyncDatabase[Any], resolver: CollectionResolver, wallet_id: str, as_of: datetime | None
) -> BalanceView | None:
    """The balance after the wallet's last event at or before `as_of` (one indexed query), None
    for an unknown wallet; raises `BeforeOpening` for a moment before the wallet was opened."""
    history = db[await resolver.live(WALLET_BALANCE_HISTORY)]
    query: dict[str, Any] = {"wallet_id": wallet_id}
    if as_of is not None:
        query["sort_key"] = {"$lt": time_key(as_of) + "}"}  # "}" sorts after "|": every key at `as_of` is in
    doc = await _first(history, query, ("sort_key", -1), _FIELDS)
    if doc is not None:
        return BalanceView(
            wallet_id=wallet_id,
            as_of=as_of,
            balance_paise=doc["balance_after_paise"],
            since=doc["occurred_at"],
            version=doc["version"],
            event=doc["event"],
        )
    if as_of is not None:
        opening = await _first(history, {"wallet_id": wallet_id}, ("sort_key", 1), _FIELDS)
        if opening is not None:
            raise BeforeOpening(opening["occurred_at"])
    return None


async def _first(
    collection: AsyncCollection[Any], query: dict[str, Any], order: tuple[str, int], fields: dict[str, int]
) -> dict[str, Any] | None:
    """The first document in `order`. Not hinted: the planner picks `by_wallet_time` for this
    filter and sort, and a hint made the Python MongoDB stand-in scan the whole index (300 ms
    instead of 1 ms at 12,000 documents; tests/bench/bench_wallets.py probes both)."""
    found = await collection.find(query, fields).sort(*order).limit(1).to_list()
    return found[0] if found else None


class SettlementView(BaseModel):
    merchant_id: str
    day: date
    """The IST business day (00:00 to 24:00 in India: 18:30 UTC the day before to 18:30 UTC)."""
    captured_paise: int
    refunded_paise: int
    net_paise: int
    capture_count: int
    refund_count: int
    version: int


async def get_settlement(
    db: AsyncDatabase[Any], resolver: CollectionResolver, merchant_id: str, day: date
) -> SettlementView | None:
    """One document per merchant and day (found by its fields, not by the projector's id format)."""
    collection = db[await resolver.live(MERCHANT_SETTLEMENTS)]
    query = {"merchant_id": merchant_id, "day": day.isoformat()}
    doc = await _first(collection, query, ("day", -1), {"_applied": 0})
    return SettlementView.model_validate(doc) if doc else None
