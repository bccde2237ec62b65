"""Evolving an account: a pure fold of its events, one small function per event type (found by
the event's type, as the wallet's are). Every event that changes the balance also closes the
IST days it leaves behind in its month's end-of-day sums (`MonthBalances`), so the monthly
average balance of any past month is a sum away, never a replay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from command_service.banking.domain.state import (
    INTERNAL_PAYEE,
    Account,
    MonthBalances,
    NumberClaim,
    Payee,
    PendingTransfer,
    payee_key,
)
from shared.banking.events import (
    AccountClosed,
    AccountDeposited,
    AccountFrozen,
    AccountMinimumBalanceCharged,
    AccountNumberClaimed,
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
from shared.banking.values import AccountStatus
from shared.events import DomainEvent
from shared.frozen import replacer
from shared.periods import fy_key, ist_date, month_key

_with = replacer(Account)
"""`dataclasses.replace` for the account, without its per-call introspection (`shared.frozen`)."""


def _add(counts: dict[str, int], period: str, amount: int) -> dict[str, int]:
    return {**counts, period: counts.get(period, 0) + amount}


def track(months: dict[str, MonthBalances], at: datetime, balance_after: int) -> dict[str, MonthBalances]:
    """The end-of-day sums once the balance became `balance_after` at `at`: the days between the
    month's last event and this one close at the balance they had."""
    month, day = month_key(at), ist_date(at).day
    current = months.get(month)
    if current is None:
        earlier = [key for key in months if key < month]
        if earlier:  # open since an earlier month: the whole month counts, from that month's last balance
            current = MonthBalances(1, 1, 0, months[max(earlier)].balance_paise)
        else:  # the opening
            current = MonthBalances(day, day, 0, balance_after)
    closed = current.closed_paise + current.balance_paise * max(day - current.day, 0)
    return {**months, month: MonthBalances(current.first_day, max(day, current.day), closed, balance_after)}


def _moved(state: Account, at: datetime, delta: int, **changes: Any) -> Account:
    balance = state.balance_paise + delta
    return _with(state, balance_paise=balance, months=track(state.months, at, balance), **changes)


def _opened(state: Account, event: AccountOpened) -> Account:
    return Account(
        account_id=event.account_id,
        customer_id=event.customer_id,
        account_number=event.account_number,
        holder_name=event.holder_name,
        account_type=event.account_type,
        branch_ifsc=event.branch_ifsc,
        status=AccountStatus.ACTIVE,
        months=track({}, event.occurred_at, 0),
    )


def _credited(state: Account, at: datetime, amount: int) -> Account:
    return _moved(state, at, amount, credits_by_fy=_add(state.credits_by_fy, fy_key(at), amount))


def _debited(state: Account, at: datetime, amount: int, **changes: Any) -> Account:
    debits = _add(state.debits_by_month, month_key(at), amount)
    return _moved(state, at, -amount, debits_by_month=debits, **changes)


def paid(payees: dict[str, Payee], key: str, amount: int, at: datetime) -> dict[str, Payee]:
    """The beneficiaries once `key` was paid `amount` at `at`. Every payment adds to the total: the
    new-payee rule reads it only while its window is open, when every payment so far is in it."""
    known = payees.get(key)
    if known is None:
        return {**payees, key: Payee(at, amount)}
    return {**payees, key: Payee(known.first_paid_at, known.paid_paise + amount)}


def _initiated(state: Account, event: AccountTransferInitiated) -> Account:
    pending = PendingTransfer(event.rail, event.amount_paise, event.to_account_number, event.to_ifsc, event.occurred_at)
    key = payee_key(event.to_ifsc, event.to_account_number)
    return _debited(
        state,
        event.occurred_at,
        event.amount_paise,
        pending={**state.pending, event.transfer_id: pending},
        payees=paid(state.payees, key, event.amount_paise, event.occurred_at),
    )


def _sent(state: Account, event: AccountTransferSent) -> Account:
    key = payee_key(INTERNAL_PAYEE, event.to_account_number)
    return _debited(
        state,
        event.occurred_at,
        event.amount_paise,
        payees=paid(state.payees, key, event.amount_paise, event.occurred_at),
    )


def _settled(state: Account, event: AccountTransferSettled) -> Account:
    pending = {k: v for k, v in state.pending.items() if k != event.transfer_id}
    return _with(state, pending=pending)


def _returned(state: Account, event: AccountTransferReturned) -> Account:
    pending = {k: v for k, v in state.pending.items() if k != event.transfer_id}
    month = month_key(event.initiated_at)
    debits = state.debits_by_month
    if month in debits:  # the transfer's debit counts no more towards its month
        debits = {**debits, month: max(debits[month] - event.amount_paise, 0)}
    return _moved(state, event.occurred_at, event.amount_paise, pending=pending, debits_by_month=debits)


def _upi_debited(state: Account, event: AccountUpiDebited) -> Account:
    if not event.leaves_bahi:
        return _debited(state, event.occurred_at, event.amount_paise)
    opened = {**state.upi_open, event.payment_id: event.amount_paise}
    return _debited(state, event.occurred_at, event.amount_paise, upi_open=opened)


def _upi_closed(state: Account, payment_id: str) -> dict[str, int]:
    return {k: v for k, v in state.upi_open.items() if k != payment_id}


def _upi_reversed(state: Account, event: AccountUpiReversed) -> Account:
    month = month_key(event.debited_at)
    debits = state.debits_by_month
    if month in debits:  # the payment's debit counts no more towards its month
        debits = {**debits, month: max(debits[month] - event.amount_paise, 0)}
    open_ = _upi_closed(state, event.payment_id)
    return _moved(state, event.occurred_at, event.amount_paise, debits_by_month=debits, upi_open=open_)


def _charged(state: Account, event: AccountMinimumBalanceCharged) -> Account:
    charged = {**state.charged_months, event.month: event.charged_paise}
    return _moved(state, event.occurred_at, -event.charged_paise, charged_months=charged)


_EVOLVE: dict[type[DomainEvent], Callable[[Account, Any], Account]] = {
    AccountOpened: _opened,
    AccountDeposited: lambda s, e: _credited(s, e.occurred_at, e.amount_paise),
    AccountWithdrawn: lambda s, e: _debited(s, e.occurred_at, e.amount_paise),
    AccountTransferInitiated: _initiated,
    AccountTransferSettled: _settled,
    AccountTransferReturned: _returned,
    AccountTransferSent: _sent,
    AccountTransferReceived: lambda s, e: _credited(s, e.occurred_at, e.amount_paise),
    AccountMinimumBalanceCharged: _charged,
    AccountUpiDebited: _upi_debited,
    AccountUpiCredited: lambda s, e: _credited(s, e.occurred_at, e.amount_paise),
    AccountUpiReversed: _upi_reversed,
    AccountUpiSettled: lambda s, e: _with(s, upi_open=_upi_closed(s, e.payment_id)),
    AccountFrozen: lambda s, e: _with(s, status=AccountStatus.FROZEN),
    AccountUnfrozen: lambda s, e: _with(s, status=AccountStatus.ACTIVE),
    AccountClosed: lambda s, e: _with(s, status=AccountStatus.CLOSED),
}


def evolve(state: Account, event: DomainEvent) -> Account:
    step = _EVOLVE.get(type(event))
    return step(state, event) if step is not None else state


def evolve_claim(state: NumberClaim, event: DomainEvent) -> NumberClaim:
    if isinstance(event, AccountNumberClaimed):
        return NumberClaim(account_number=event.account_number, account_id=event.account_id)
    return state


def fold(state: Account, events: list[DomainEvent]) -> Account:
    for event in events:
        state = evolve(state, event)
    return state
