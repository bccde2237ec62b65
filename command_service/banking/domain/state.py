"""The Account aggregate's state (stream id = account id) and an account number's claim.

Plain frozen dataclasses and named tuples of plain types, so the state round-trips through
pydantic's `TypeAdapter` for snapshots; `evolve` never mutates a state. It holds what the rules
need and nothing else: movement ids are idempotency keys the dispatcher records in the event
store (`command_service.handling.movements`), not here. It grows by its beneficiaries (one
small tuple each), its pending external transfers (until settled or returned), and a few
integers per IST month and financial year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from shared.banking.values import AccountStatus, AccountType, Rail


class PendingTransfer(NamedTuple):
    """An external transfer debited and not yet settled or returned by the clearing."""

    rail: Rail
    amount_paise: int
    to_account_number: str
    to_ifsc: str
    initiated_at: datetime


class Payee(NamedTuple):
    """A beneficiary (IFSC + account number): when it was first paid, and how much in all (the
    new-payee rule reads it only while the first window is open, when all of it is in it)."""

    first_paid_at: datetime
    paid_paise: int


class MonthBalances(NamedTuple):
    """One IST month's end-of-day balances, summed as the days close (for the monthly average
    balance): the days `first_day` .. `day - 1` are closed and their balances sum to
    `closed_paise`; `balance_paise` is the balance now, the closing one of `day` and of every
    later day of the month until the next event."""

    first_day: int
    """1, or the day of the month the account was opened on."""
    day: int
    closed_paise: int
    balance_paise: int


@dataclass(frozen=True)
class Account:
    account_id: str = ""
    customer_id: str = ""
    account_number: str = ""
    holder_name: str = ""
    account_type: AccountType = AccountType.SAVINGS
    branch_ifsc: str = ""
    status: AccountStatus | None = None
    balance_paise: int = 0
    pending: dict[str, PendingTransfer] = field(default_factory=dict)
    """External transfers by transfer id, debited and with the clearing."""
    payees: dict[str, Payee] = field(default_factory=dict)
    """Beneficiaries by "IFSC:account number"."""
    credits_by_fy: dict[str, int] = field(default_factory=dict)
    """Credits (deposits, internal transfers received) per Indian financial year."""
    debits_by_month: dict[str, int] = field(default_factory=dict)
    """Debits (withdrawals, transfers) per IST month, less what returned transfers gave back."""
    months: dict[str, MonthBalances] = field(default_factory=dict)
    charged_months: dict[str, int] = field(default_factory=dict)
    """Months a minimum-balance charge was levied for, with what it took."""
    upi_open: dict[str, int] = field(default_factory=dict)
    """UPI payments that left Bahi and wait for the switch (or a reversal), by payment id, with
    their amounts: debited, neither settled nor credited back."""

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def pending_paise(self) -> int:
        return sum(p.amount_paise for p in self.pending.values())


@dataclass(frozen=True)
class NumberClaim:
    """An account number's claim stream: the account that has it, if any."""

    account_number: str = ""
    account_id: str | None = None


INTERNAL_PAYEE = "INTERNAL"
"""The IFSC part of the payee key of an account of this bank paid by an INTERNAL transfer."""


def payee_key(ifsc: str, account_number: str) -> str:
    return f"{ifsc}:{account_number}"
