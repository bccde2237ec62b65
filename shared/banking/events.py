"""Events of the `bank_account` stream (and the one event of an account number's claim stream).

Every account event carries `account_id`, `balance_after_paise` (the balance once it applied: a
statement's running balance or a balance history needs no fold) and `occurred_at` (UTC). A
movement carries its client-chosen id under its own name (`txn_id`, `transfer_id`): the id is
the movement's idempotency key. Who did it and why travel in the event's metadata (`actor`,
`reason`, `request_id`, `client_address`), not here. Amounts are integer paise.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

# The UPI legs' events live in `upi_events`; re-exported, as every event of the context is named here.
from shared.banking.upi_events import AccountUpiCredited as AccountUpiCredited
from shared.banking.upi_events import AccountUpiDebited as AccountUpiDebited
from shared.banking.upi_events import AccountUpiReversed as AccountUpiReversed
from shared.banking.upi_events import AccountUpiSettled as AccountUpiSettled
from shared.banking.values import AccountType, DepositMode, Rail
from shared.events import DomainEvent, Upcaster


class AccountNumberClaimed(DomainEvent):
    """The claim stream's only event: `account_number` belongs to this account."""

    account_number: str
    account_id: str
    occurred_at: datetime


class AccountOpened(DomainEvent):
    account_id: str
    customer_id: str
    account_number: str
    holder_name: str
    account_type: AccountType
    branch_ifsc: str
    balance_after_paise: int = Field(ge=0, le=0)
    occurred_at: datetime


class AccountDeposited(DomainEvent):
    account_id: str
    txn_id: str
    amount_paise: int = Field(gt=0)
    mode: DepositMode
    narration: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountWithdrawn(DomainEvent):
    account_id: str
    txn_id: str
    amount_paise: int = Field(gt=0)
    mode: DepositMode
    narration: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountTransferInitiated(DomainEvent):
    """An external transfer (NEFT, RTGS, IMPS): debited now, pending until the clearing settles
    or returns it (the settlement process manager)."""

    account_id: str
    transfer_id: str
    rail: Rail
    to_account_number: str
    to_ifsc: str
    amount_paise: int = Field(gt=0)
    narration: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountTransferSettled(DomainEvent):
    """The clearing took the money: nothing moves here, the transfer is no longer pending."""

    account_id: str
    transfer_id: str
    rail: Rail
    amount_paise: int = Field(gt=0)
    batch_id: str | None = None
    utr: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountTransferReturned(DomainEvent):
    """The clearing sent the transfer back: its amount is credited back, once, with the reason."""

    account_id: str
    transfer_id: str
    rail: Rail
    amount_paise: int = Field(gt=0)
    batch_id: str | None = None
    reason: str
    initiated_at: datetime
    """When the transfer was debited (its month's debits count it no more)."""
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountTransferSent(DomainEvent):
    """INTERNAL, appended with the receiver's `AccountTransferReceived` in one transaction."""

    account_id: str
    transfer_id: str
    to_account_id: str
    to_account_number: str
    amount_paise: int = Field(gt=0)
    narration: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountTransferReceived(DomainEvent):
    account_id: str
    transfer_id: str
    from_account_id: str
    from_account_number: str
    amount_paise: int = Field(gt=0)
    narration: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountMinimumBalanceCharged(DomainEvent):
    """The charge for a month whose average balance fell short: `computed_paise` by the tariff,
    `charged_paise` what was taken (never more than the balance: the rest is `waived_paise`)."""

    account_id: str
    month: str
    average_balance_paise: int = Field(ge=0)
    required_paise: int = Field(ge=0)
    shortfall_paise: int = Field(gt=0)
    computed_paise: int = Field(ge=0)
    charged_paise: int = Field(ge=0)
    waived_paise: int = Field(ge=0)
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountFrozen(DomainEvent):
    account_id: str
    reason: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountUnfrozen(DomainEvent):
    account_id: str
    reason: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountClosed(DomainEvent):
    """Final, at zero balance."""

    account_id: str
    reason: str
    balance_after_paise: int = Field(ge=0, le=0)
    occurred_at: datetime


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    AccountNumberClaimed,
    AccountOpened,
    AccountDeposited,
    AccountWithdrawn,
    AccountTransferInitiated,
    AccountTransferSettled,
    AccountTransferReturned,
    AccountTransferSent,
    AccountTransferReceived,
    AccountMinimumBalanceCharged,
    AccountUpiDebited,
    AccountUpiCredited,
    AccountUpiReversed,
    AccountUpiSettled,
    AccountFrozen,
    AccountUnfrozen,
    AccountClosed,
)
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""(event type, from schema version) -> the payload of version + 1: none yet, every event is v1."""
