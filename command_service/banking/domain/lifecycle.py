"""An account's life: opening (with its number claimed in the same append), freezing and
unfreezing (a frozen account takes credits, no debits), closing (at zero balance, with nothing
with the clearing).

Status steps go through `TRANSITIONS`: an illegal one is a 409 naming the current status and the
allowed next ones, as wallets and orders do.
"""

from __future__ import annotations

from datetime import datetime

from command_service.banking.domain.errors import (
    AccountNotFoundError,
    ClosingError,
    IllegalAccountTransitionError,
)
from command_service.banking.domain.state import Account
from shared.banking.events import (
    AccountClosed,
    AccountFrozen,
    AccountNumberClaimed,
    AccountOpened,
    AccountUnfrozen,
)
from shared.banking.values import AccountStatus, AccountType
from shared.events import DomainEvent

S = AccountStatus
TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    S.ACTIVE: frozenset({S.FROZEN, S.CLOSED}),
    S.FROZEN: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def existing(state: Account, field: str | None = None) -> AccountStatus:
    if state.status is None:
        extra = {"field": field} if field else {}
        raise AccountNotFoundError(f"account {state.account_id} does not exist", account_id=state.account_id, **extra)
    return state.status


def _step(state: Account, target: AccountStatus, action: str) -> None:
    current = existing(state)
    if target not in TRANSITIONS[current]:
        allowed = sorted(status.value for status in TRANSITIONS[current])
        raise IllegalAccountTransitionError(state.account_id, action, current.value, allowed)


def decide_open(
    *,
    account_id: str,
    account_number: str,
    customer_id: str,
    holder_name: str,
    account_type: AccountType,
    branch_ifsc: str,
    now: datetime,
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Events for the new account's stream and for its number's claim stream."""
    opened = AccountOpened(
        account_id=account_id,
        customer_id=customer_id,
        account_number=account_number,
        holder_name=holder_name,
        account_type=account_type,
        branch_ifsc=branch_ifsc,
        balance_after_paise=0,
        occurred_at=now,
    )
    claimed = AccountNumberClaimed(account_number=account_number, account_id=account_id, occurred_at=now)
    return [opened], [claimed]


def decide_freeze(state: Account, *, reason: str, now: datetime) -> list[DomainEvent]:
    _step(state, AccountStatus.FROZEN, "freeze")
    return [
        AccountFrozen(
            account_id=state.account_id, reason=reason, balance_after_paise=state.balance_paise, occurred_at=now
        )
    ]


def decide_unfreeze(state: Account, *, reason: str, now: datetime) -> list[DomainEvent]:
    _step(state, AccountStatus.ACTIVE, "unfreeze")
    return [
        AccountUnfrozen(
            account_id=state.account_id, reason=reason, balance_after_paise=state.balance_paise, occurred_at=now
        )
    ]


def decide_close(state: Account, *, reason: str, now: datetime) -> list[DomainEvent]:
    _step(state, AccountStatus.CLOSED, "close")
    if state.pending:
        pending = sorted(state.pending)
        raise ClosingError(
            f"account {state.account_id} has transfers with the clearing ({', '.join(pending)}): "
            "close it once they are settled or returned",
            account_id=state.account_id,
            transfer_ids=pending,
        )
    if state.upi_open:
        open_ = sorted(state.upi_open)
        raise ClosingError(
            f"account {state.account_id} has UPI payments waiting for the switch ({', '.join(open_)}): "
            "close it once they are completed or credited back",
            account_id=state.account_id,
            payment_ids=open_,
        )
    if state.balance_paise:
        raise ClosingError(
            f"account {state.account_id} holds {state.balance_paise} paise: withdraw or transfer it first",
            account_id=state.account_id,
            balance_paise=state.balance_paise,
        )
    return [AccountClosed(account_id=state.account_id, reason=reason, balance_after_paise=0, occurred_at=now)]
