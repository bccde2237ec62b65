"""Applying the banking rules to a movement (`shared.limits`): each rule that applies gives an
allowance (the most it lets through now), the smallest binds, and a refusal names the binding
rule, its figure and what would have passed (`PolicyRefusedError`, a 422). A floor (RTGS) is
checked first and names `minimum_paise`.

Figures come from the policy table in force at the moment of the decision
(`shared.banking.policy`, which also says which rules apply to which movement).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from command_service.banking.domain.errors import PolicyRefusedError
from command_service.banking.domain.state import Account
from shared import limits
from shared.banking import policy as bank
from shared.banking.values import AccountStatus, AccountType, Rail
from shared.limits import Allowance
from shared.periods import fy_key, month_key
from shared.policy import PolicyTable


def credit(state: Account, at: datetime, policy: PolicyTable) -> list[Allowance]:
    """A credit (deposit, internal transfer received): none to a closed account; a BSBD
    account's balance cap and credits in the financial year."""
    me = state.account_id
    if state.status is AccountStatus.CLOSED:
        return [limits.barred(me, bank.CLOSED_NO_CREDIT)]
    if state.account_type is not AccountType.BSBD:
        return []
    credits = state.credits_by_fy.get(fy_key(at), 0)
    return [
        limits.figure(me, bank.BSBD_BALANCE, policy.value(bank.BSBD_BALANCE, at), state.balance_paise),
        limits.figure(me, bank.BSBD_CREDITS_PER_FY, policy.value(bank.BSBD_CREDITS_PER_FY, at), credits),
    ]


def debit(state: Account, at: datetime, policy: PolicyTable) -> list[Allowance]:
    """A debit (withdrawal, transfer): none from a frozen or closed account, never more than the
    balance; a BSBD account's debits in the month."""
    me = state.account_id
    if state.status is AccountStatus.CLOSED:
        return [limits.barred(me, bank.CLOSED_NO_DEBIT)]
    if state.status is AccountStatus.FROZEN:
        return [limits.barred(me, bank.FROZEN_NO_DEBIT)]
    rules = [Allowance(me, bank.NO_OVERDRAFT, state.balance_paise, state.balance_paise)]
    if state.account_type is AccountType.BSBD:
        used = state.debits_by_month.get(month_key(at), 0)
        limit = policy.value(bank.BSBD_DEBITS_PER_MONTH, at)
        rules.append(limits.figure(me, bank.BSBD_DEBITS_PER_MONTH, limit, used))
    return rules


def rail(state: Account, rail: Rail, at: datetime, policy: PolicyTable) -> list[Allowance]:
    """A rail's ceiling per transaction (IMPS)."""
    if rail is Rail.IMPS:
        return [limits.figure(state.account_id, bank.IMPS_MAX, policy.value(bank.IMPS_MAX, at), 0)]
    return []


def new_payee(state: Account, key: str, at: datetime, policy: PolicyTable) -> list[Allowance]:
    """A beneficiary never paid, or first paid less than the window ago: what is left of the
    first window's maximum."""
    limit = policy.value(bank.NEW_PAYEE_WINDOW_MAX, at)
    known = state.payees.get(key)
    if known is None:
        return [limits.figure(state.account_id, bank.NEW_PAYEE_WINDOW_MAX, limit, 0)]
    window = timedelta(seconds=policy.value(bank.NEW_PAYEE_WINDOW, at))
    if at < known.first_paid_at + window:
        return [limits.figure(state.account_id, bank.NEW_PAYEE_WINDOW_MAX, limit, known.paid_paise)]
    return []


def floor(state: Account, rail: Rail, amount_paise: int, at: datetime, policy: PolicyTable) -> None:
    """RTGS's floor per transaction: less is refused, naming the least that would pass."""
    if rail is not Rail.RTGS:
        return
    minimum = policy.value(bank.RTGS_MIN, at)
    if amount_paise < minimum:
        raise PolicyRefusedError(
            account_id=state.account_id,
            rule=bank.RTGS_MIN,
            limit_paise=minimum,
            minimum_paise=minimum,
            requested_paise=amount_paise,
        )


def enforce(amount_paise: int, allowances: list[Allowance]) -> None:
    """Raise `PolicyRefusedError` naming the binding rule (status rules first, as listed) unless
    `amount_paise` passes them all."""
    refusing = limits.binding(amount_paise, allowances)
    if refusing is not None:
        raise PolicyRefusedError(
            account_id=refusing.subject,
            rule=refusing.rule,
            limit_paise=refusing.limit_paise,
            allowed_paise=refusing.allowed_paise,
            requested_paise=amount_paise,
        )
