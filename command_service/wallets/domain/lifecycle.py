"""A wallet's life: opening (one per customer, through the owner index), the KYC upgrade
(never a downgrade), freezing and unfreezing, and closing (at zero balance, or paying the
balance out to the customer's bank account in the closing event).

Status steps go through `TRANSITIONS`: an illegal one is a 409 naming the current status and
the allowed next ones, as orders do.
"""

from __future__ import annotations

from datetime import datetime

from command_service.wallets.domain import rules
from command_service.wallets.domain.errors import (
    ClosingError,
    IllegalWalletTransitionError,
    KycUpgradeError,
    WalletAlreadyExistsError,
    WalletNotFoundError,
)
from command_service.wallets.domain.state import Wallet, WalletOwner
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.wallets.events import (
    WalletClosed,
    WalletFrozen,
    WalletKycUpgraded,
    WalletOpened,
    WalletOwnerRegistered,
    WalletUnfrozen,
)
from shared.wallets.values import DocumentType, KycLevel, WalletStatus

S = WalletStatus
TRANSITIONS: dict[WalletStatus, frozenset[WalletStatus]] = {
    S.ACTIVE: frozenset({S.FROZEN, S.CLOSED}),
    S.FROZEN: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}
KYC_RANK = {KycLevel.MINIMUM: 0, KycLevel.FULL: 1}


def existing(state: Wallet) -> WalletStatus:
    if state.status is None:
        raise WalletNotFoundError(f"wallet {state.wallet_id} does not exist", wallet_id=state.wallet_id)
    return state.status


def _step(state: Wallet, target: WalletStatus, action: str) -> None:
    current = existing(state)
    if target not in TRANSITIONS[current]:
        allowed = sorted(status.value for status in TRANSITIONS[current])
        raise IllegalWalletTransitionError(state.wallet_id, action, current.value, allowed)


def decide_open(
    state: Wallet,
    owner: WalletOwner,
    *,
    wallet_id: str,
    customer_id: str,
    mobile: str,
    kyc_level: KycLevel,
    now: datetime,
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Events for the new wallet's stream and for the customer's owner index."""
    if owner.wallet_id is not None:
        raise WalletAlreadyExistsError(customer_id, owner.wallet_id)
    if state.exists:
        raise WalletAlreadyExistsError(customer_id, state.wallet_id)
    opened = WalletOpened(
        wallet_id=wallet_id,
        customer_id=customer_id,
        mobile=mobile,
        kyc_level=kyc_level,
        balance_after_paise=0,
        occurred_at=now,
    )
    return [opened], [WalletOwnerRegistered(wallet_id=wallet_id, customer_id=customer_id, occurred_at=now)]


def decide_upgrade_kyc(
    state: Wallet, *, level: KycLevel, document_type: DocumentType, document_last4: str, now: datetime
) -> list[DomainEvent]:
    if existing(state) is WalletStatus.CLOSED:
        raise KycUpgradeError(f"wallet {state.wallet_id} is closed", wallet_id=state.wallet_id)
    if KYC_RANK[level] <= KYC_RANK[state.kyc_level]:
        raise KycUpgradeError(
            f"wallet {state.wallet_id} is at {state.kyc_level.value} KYC: an upgrade must go higher, never lower",
            wallet_id=state.wallet_id,
            kyc_level=state.kyc_level.value,
            field="level",
        )
    upgraded = WalletKycUpgraded(
        wallet_id=state.wallet_id,
        from_level=state.kyc_level,
        to_level=level,
        document_type=document_type,
        document_last4=document_last4,
        balance_after_paise=state.balance_paise,
        occurred_at=now,
    )
    return [upgraded]


def decide_freeze(state: Wallet, *, reason: str, now: datetime) -> list[DomainEvent]:
    _step(state, WalletStatus.FROZEN, "freeze")
    return [
        WalletFrozen(wallet_id=state.wallet_id, reason=reason, balance_after_paise=state.balance_paise, occurred_at=now)
    ]


def decide_unfreeze(state: Wallet, *, reason: str, now: datetime) -> list[DomainEvent]:
    _step(state, WalletStatus.ACTIVE, "unfreeze")
    return [
        WalletUnfrozen(
            wallet_id=state.wallet_id, reason=reason, balance_after_paise=state.balance_paise, occurred_at=now
        )
    ]


def decide_close(
    state: Wallet, *, reason: str, to_bank_account: str | None, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    """Closing pays the whole balance out (a debit: the debit rules apply, cash-out among them)."""
    _step(state, WalletStatus.CLOSED, "close")
    if state.held_paise:
        held = sorted(p for p, payment in state.payments.items() if payment.open_hold)
        raise ClosingError(
            f"wallet {state.wallet_id} holds {state.held_paise} paise for payments {', '.join(held)}: "
            "capture, void or let them expire first",
            wallet_id=state.wallet_id,
            held_paise=state.held_paise,
            payment_ids=held,
        )
    if state.upi_open:
        open_ = sorted(state.upi_open)
        raise ClosingError(
            f"wallet {state.wallet_id} has UPI payments waiting for the switch ({', '.join(open_)}): "
            "close it once they are completed or credited back",
            wallet_id=state.wallet_id,
            payment_ids=open_,
        )
    if state.balance_paise and to_bank_account is None:
        raise ClosingError(
            f"wallet {state.wallet_id} has {state.balance_paise} paise: name to_bank_account to pay it out",
            wallet_id=state.wallet_id,
            balance_paise=state.balance_paise,
            field="to_bank_account",
        )
    if state.balance_paise:
        rules.enforce(state.balance_paise, rules.debit(state, now, policy, cash_out=True))
    closed = WalletClosed(
        wallet_id=state.wallet_id,
        reason=reason,
        to_bank_account=to_bank_account,
        paid_out_paise=state.balance_paise,
        balance_after_paise=0,
        occurred_at=now,
    )
    return [closed]
