"""The minimum-balance charge of a SAVINGS account, for one IST month that has ended.

The month's average balance is the mean of its end-of-day balances (IST days; from the opening
day in the month the account was opened), rounded up in the customer's favour. The shortfall
under the required average (the row in force on the month's last day) times the rate, at most
the maximum, is the computed charge; what is taken is never more than the balance, so the charge
alone never turns it negative (the rest is waived, and recorded as such). No shortfall: no
charge, no event. A month is charged once (the dispatcher answers a repeat from the month's
movement record; the state refuses a second charge for it all the same).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from command_service.banking.domain import rules
from command_service.banking.domain.errors import (
    AlreadyChargedError,
    ChargeRefusedError,
    InvalidRequestError,
    PolicyRefusedError,
)
from command_service.banking.domain.lifecycle import existing
from command_service.banking.domain.state import Account
from shared.banking import policy as bank
from shared.banking.events import AccountMinimumBalanceCharged
from shared.events import DomainEvent
from shared.periods import days_in_month, month_key, month_start
from shared.policy import PolicyTable


def average_balance(state: Account, month: str) -> int | None:
    """The month's average end-of-day balance, or None when the account was not open in it."""
    days = days_in_month(month)
    entry = state.months.get(month)
    if entry is None:
        earlier = [key for key in state.months if key < month]
        return state.months[max(earlier)].balance_paise if earlier else None
    total = entry.closed_paise + entry.balance_paise * (days - entry.day + 1)
    counted = days - entry.first_day + 1
    return -(-total // counted)


def decide_minimum_balance_charge(
    state: Account, *, month: str, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    existing(state)
    if state.account_type not in bank.CHARGED_TYPES:
        raise ChargeRefusedError(
            f"account {state.account_id} is {state.account_type.value}: the minimum-balance charge is for SAVINGS only",
            account_id=state.account_id,
            rule=bank.CHARGE_SAVINGS_ONLY,
            account_type=state.account_type.value,
        )
    if month >= month_key(now):
        raise InvalidRequestError(f"{month} has not ended yet (IST)", field="month", account_id=state.account_id)
    if month in state.charged_months:
        raise AlreadyChargedError(
            f"account {state.account_id} was charged for {month} already",
            account_id=state.account_id,
            month=month,
            charged_paise=state.charged_months[month],
        )
    average = average_balance(state, month)
    if average is None:
        raise InvalidRequestError(
            f"account {state.account_id} was not open in {month}", field="month", account_id=state.account_id
        )
    last_day = month_start(month) + timedelta(days=days_in_month(month)) - timedelta(microseconds=1)
    required = policy.value(bank.SAVINGS_MIN_AVERAGE, last_day)
    shortfall = max(required - average, 0)
    if shortfall == 0:
        return []
    rate, most = policy.value(bank.SAVINGS_CHARGE_RATE, last_day), policy.value(bank.SAVINGS_CHARGE_MAX, last_day)
    computed = min(shortfall * rate // 10_000, most)
    if computed == 0:
        return []
    # A charge is a debit: a frozen or closed account is not charged (its status rule refuses it).
    barred = [a for a in rules.debit(state, now, policy) if a.rule in (bank.FROZEN_NO_DEBIT, bank.CLOSED_NO_DEBIT)]
    if barred:
        raise PolicyRefusedError(
            account_id=state.account_id, rule=barred[0].rule, limit_paise=0, allowed_paise=0, requested_paise=computed
        )
    charged = min(computed, state.balance_paise)
    event = AccountMinimumBalanceCharged(
        account_id=state.account_id,
        month=month,
        average_balance_paise=average,
        required_paise=required,
        shortfall_paise=shortfall,
        computed_paise=computed,
        charged_paise=charged,
        waived_paise=computed - charged,
        balance_after_paise=state.balance_paise - charged,
        occurred_at=now,
    )
    return [event]
