"""The wallets context's documents as the API shows them: the wallet view, the balance at a
moment (from the view's recent balances, else one indexed query on `wallet_balance_history`)
and a merchant's settlement for a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import DocumentLoader, balances
from query_service.reads.balances import BalanceAt, BeforeOpening
from query_service.reads.pending_upi import PendingUpiView
from shared.read_models import CollectionResolver
from shared.wallets.read_models import (
    MERCHANT_SETTLEMENTS,
    WALLET_BALANCE_HISTORY,
    WALLET_VIEW,
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
    pending_upi: list[PendingUpiView] = []
    """UPI payments that left Bahi, debited and waiting for the switch (or a credit back)."""
    pending_upi_paise: int = 0
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


def _view(wallet_id: str, as_of: datetime | None, found: BalanceAt | None) -> BalanceView | None:
    if found is None:
        return None
    return BalanceView(
        wallet_id=wallet_id,
        as_of=as_of,
        balance_paise=found.balance_paise,
        since=found.since,
        version=found.version,
        event=found.event,
    )


def recent_balance(view: Mapping[str, Any], wallet_id: str, as_of: datetime | None) -> BalanceView | None:
    """The balance at `as_of` from the wallet view's recent balances, when they reach back to it;
    None when the moment is older (the history answers); raises `BeforeOpening` for a moment
    before the opening (`query_service.reads.balances`)."""
    return _view(wallet_id, as_of, balances.recent_balance(view, as_of))


async def balance_as_of(
    db: AsyncDatabase[Any], resolver: CollectionResolver, wallet_id: str, as_of: datetime | None
) -> BalanceView | None:
    """The balance after the wallet's last event at or before `as_of` (one indexed query), None
    for an unknown wallet; raises `BeforeOpening` for a moment before the wallet was opened."""
    history = db[await resolver.live(WALLET_BALANCE_HISTORY)]
    return _view(wallet_id, as_of, await balances.history_balance(history, "wallet_id", wallet_id, as_of))


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
    doc = await balances.first(collection, query, ("day", -1), {"_applied": 0})
    return SettlementView.model_validate(doc) if doc else None


__all__ = [
    "BalanceView",
    "BeforeOpening",
    "HeadroomView",
    "HoldView",
    "LimitView",
    "SettlementView",
    "WalletView",
    "balance_as_of",
    "get_settlement",
    "get_wallet",
    "recent_balance",
]
