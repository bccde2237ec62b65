"""The account view's limits: what the account has had credited in its current financial year
and debited in its current IST month, and what is left under each rule capping a credit or a
debit, with the figures of `shared.banking.policy` in force at the account's last event (never
the wall clock, so a rebuild gives the same document). Which movements count mirrors the domain
(`command_service.banking.domain.evolve`): deposits and internal credits are credits;
withdrawals and transfers are debits, less what a returned transfer gives back to its month.

The counters hold one month and one FY only: a movement dated in an earlier period than the one
held belongs to that period and leaves the current counters alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.banking import policy as bank
from shared.banking.values import AccountStatus, AccountType
from shared.periods import fy_key, month_key

Counters = dict[str, Any]


def no_counters(at: datetime) -> Counters:
    return {"month": month_key(at), "fy": fy_key(at), "debits_month_paise": 0, "credits_fy_paise": 0}


def rolled(counters: Counters, at: datetime) -> Counters:
    """The counters once `at` is reached: a later month or FY starts from zero."""
    month, fy = month_key(at), fy_key(at)
    out = dict(counters)
    if month > out["month"]:
        out.update(month=month, debits_month_paise=0)
    if fy > out["fy"]:
        out.update(fy=fy, credits_fy_paise=0)
    return out


def credited(counters: Counters, at: datetime, amount: int) -> Counters:
    out = rolled(counters, at)
    if fy_key(at) == out["fy"]:
        out["credits_fy_paise"] += amount
    return out


def debited(counters: Counters, at: datetime, amount: int) -> Counters:
    """A debit at `at`; a negative amount is a returned transfer's, given back to its month."""
    out = dict(counters) if amount < 0 else rolled(counters, at)
    if month_key(at) == out["month"]:
        out["debits_month_paise"] = max(out["debits_month_paise"] + amount, 0)
    return out


def _rule(rule: str, period: str | None, limit: int, used: int) -> dict[str, Any]:
    # A figure lowered by a newer row may leave the account above it: nothing left, never below 0.
    return {
        "rule": rule,
        "period": period,
        "limit_paise": limit,
        "used_paise": used,
        "left_paise": max(limit - used, 0),
    }


def limits(kind: AccountType, status: AccountStatus, balance: int, counters: Counters, at: datetime) -> dict[str, Any]:
    """Each rule capping a credit or a debit with its period ("2026-11", "FY2026-27"; None: at any
    time), and the largest credit and debit that would pass now (`credit_paise` None: no cap)."""
    value = bank.BANK_POLICY.value
    debits = [_rule(bank.NO_OVERDRAFT, None, balance, 0)]
    credits: list[dict[str, Any]] = []
    if kind is AccountType.BSBD:
        month, fy = counters["month"], counters["fy"]
        debits.append(
            _rule(
                bank.BSBD_DEBITS_PER_MONTH, month, value(bank.BSBD_DEBITS_PER_MONTH, at), counters["debits_month_paise"]
            )
        )
        credits.append(_rule(bank.BSBD_BALANCE, None, value(bank.BSBD_BALANCE, at), balance))
        credits.append(
            _rule(bank.BSBD_CREDITS_PER_FY, fy, value(bank.BSBD_CREDITS_PER_FY, at), counters["credits_fy_paise"])
        )
    debit = 0 if status is not AccountStatus.ACTIVE else min(r["left_paise"] for r in debits)
    credit = 0 if status is AccountStatus.CLOSED else min((r["left_paise"] for r in credits), default=None)
    minimum = value(bank.SAVINGS_MIN_AVERAGE, at) if kind in bank.CHARGED_TYPES else None
    return {
        "as_of": at,
        "month": counters["month"],
        "fy": counters["fy"],
        "debit_paise": debit,
        "credit_paise": credit,
        "minimum_average_balance_paise": minimum,
        "rules": [*debits, *credits],
    }
