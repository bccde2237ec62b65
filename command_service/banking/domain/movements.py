"""Deposits and withdrawals: each applies the rules (`rules`), then decides one event carrying
the balance after it. Replays of a `txn_id` never reach them: the dispatcher answers those from
the id's record (`command_service.handling.movements`)."""

from __future__ import annotations

from datetime import datetime

from command_service.banking.domain import rules
from command_service.banking.domain.lifecycle import existing
from command_service.banking.domain.state import Account
from shared.banking.events import AccountDeposited, AccountWithdrawn
from shared.banking.values import DepositMode
from shared.events import DomainEvent
from shared.policy import PolicyTable


def decide_deposit(
    state: Account,
    *,
    txn_id: str,
    amount_paise: int,
    mode: DepositMode,
    narration: str,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    existing(state)
    rules.enforce(amount_paise, rules.credit(state, now, policy))
    deposited = AccountDeposited(
        account_id=state.account_id,
        txn_id=txn_id,
        amount_paise=amount_paise,
        mode=mode,
        narration=narration,
        balance_after_paise=state.balance_paise + amount_paise,
        occurred_at=now,
    )
    return [deposited]


def decide_withdraw(
    state: Account,
    *,
    txn_id: str,
    amount_paise: int,
    mode: DepositMode,
    narration: str,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    existing(state)
    rules.enforce(amount_paise, rules.debit(state, now, policy))
    withdrawn = AccountWithdrawn(
        account_id=state.account_id,
        txn_id=txn_id,
        amount_paise=amount_paise,
        mode=mode,
        narration=narration,
        balance_after_paise=state.balance_paise - amount_paise,
        occurred_at=now,
    )
    return [withdrawn]
