"""The banking context's documents as the API shows them: the account view and the balance at a
moment (the generic time-aware balance, `query_service.reads.balances`: the view's recent
balances, else one indexed query on `account_balance_history`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import DocumentLoader, balances
from query_service.reads.balances import BalanceAt
from query_service.reads.pending_upi import PendingUpiView
from shared.banking.read_models import ACCOUNT_BALANCE_HISTORY, ACCOUNT_VIEW
from shared.read_models import CollectionResolver


class PendingTransferView(BaseModel):
    transfer_id: str
    rail: str
    amount_paise: int
    to_account_number: str
    to_ifsc: str
    initiated_at: datetime


class RuleView(BaseModel):
    rule: str
    """The policy rule's name, as a refusal names it (`shared.banking.policy`)."""
    period: str | None
    """The IST month ("2026-11") or financial year ("FY2026-27") counted; None: at any time."""
    limit_paise: int
    used_paise: int
    left_paise: int


class LimitsView(BaseModel):
    """As of the account's last event (`as_of`), in the periods named by `month` and `fy`."""

    as_of: datetime
    month: str
    fy: str
    debit_paise: int
    """The largest withdrawal or transfer every debit rule would let through now."""
    credit_paise: int | None
    """The largest credit every credit rule would let through now (None: no cap)."""
    minimum_average_balance_paise: int | None
    """The monthly average balance a SAVINGS account keeps to avoid the charge (None: none)."""
    rules: list[RuleView]


class AccountView(BaseModel):
    account_id: str
    account_number: str
    customer_id: str
    holder_name: str
    type: str
    branch_ifsc: str
    status: str
    status_reason: str | None = None
    balance_paise: int
    pending_out_paise: int
    pending_transfers: list[PendingTransferView]
    pending_upi: list[PendingUpiView] = []
    """UPI payments that left Bahi, debited and waiting for the switch (or a credit back)."""
    pending_upi_paise: int = 0
    limits: LimitsView
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    version: int


async def get_account(loader: DocumentLoader, account_id: str) -> AccountView | None:
    doc = await loader.get(ACCOUNT_VIEW, account_id)
    return AccountView.model_validate(doc) if doc else None


class AccountBalanceView(BaseModel):
    account_id: str
    as_of: datetime | None
    """The moment asked (None: now, as far as the history has been projected)."""
    balance_paise: int
    since: datetime
    """When the balance became this: the time of the event that left it so."""
    version: int
    """That event's version in the account's stream."""
    event: str


def _view(account_id: str, as_of: datetime | None, found: BalanceAt | None) -> AccountBalanceView | None:
    if found is None:
        return None
    return AccountBalanceView(
        account_id=account_id,
        as_of=as_of,
        balance_paise=found.balance_paise,
        since=found.since,
        version=found.version,
        event=found.event,
    )


def recent_balance(view: Mapping[str, Any], account_id: str, as_of: datetime | None) -> AccountBalanceView | None:
    return _view(account_id, as_of, balances.recent_balance(view, as_of))


async def balance_as_of(
    db: AsyncDatabase[Any], resolver: CollectionResolver, account_id: str, as_of: datetime | None
) -> AccountBalanceView | None:
    history = db[await resolver.live(ACCOUNT_BALANCE_HISTORY)]
    return _view(account_id, as_of, await balances.history_balance(history, "account_id", account_id, as_of))
