"""Money moving in and out of a wallet: top-ups, merchant payments (direct, or a hold for
`holds` to settle), P2P transfers (the sender's and the receiver's events, appended together)
and merchant refunds.

Every decision applies the rules (`rules`), then decides events that carry the balance after
them. Replays of a movement id never reach them: the dispatcher answers those from the id's
record (`command_service.handling.movements`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from command_service.wallets.domain import rules
from command_service.wallets.domain.errors import (
    InvalidMovementError,
    PaymentNotFoundError,
    PaymentStateError,
    WalletNotFoundError,
)
from command_service.wallets.domain.lifecycle import existing
from command_service.wallets.domain.state import Wallet
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.wallets import policy as ppi
from shared.wallets.events import (
    WalletHoldPlaced,
    WalletPaid,
    WalletRefunded,
    WalletToppedUp,
    WalletTransferReceived,
    WalletTransferSent,
)
from shared.wallets.values import PaymentStatus, TopupSource


def decide_top_up(
    state: Wallet,
    *,
    topup_id: str,
    amount_paise: int,
    source: TopupSource,
    reference: str,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    existing(state)
    cash = source is TopupSource.CASH
    rules.enforce(amount_paise, rules.credit(state, now, policy, load=True, cash=cash))
    topped_up = WalletToppedUp(
        wallet_id=state.wallet_id,
        topup_id=topup_id,
        amount_paise=amount_paise,
        source=source,
        reference=reference,
        balance_after_paise=state.balance_paise + amount_paise,
        occurred_at=now,
    )
    return [topped_up]


def decide_pay(
    state: Wallet,
    *,
    payment_id: str,
    merchant_id: str,
    amount_paise: int,
    order_id: str | None,
    hold: bool,
    now: datetime,
    policy: PolicyTable,
    hold_timeout: timedelta,
) -> list[DomainEvent]:
    """A direct debit, or (`hold`) a pending one that expires `hold_timeout` after now."""
    existing(state)
    if (known := state.payments.get(payment_id)) is not None:
        # A retry of a recorded payment never gets here (the dispatcher answers it); a payment
        # id is never a second payment of the wallet, whatever the body.
        raise PaymentStateError(payment_id, "pay", known.status.value)
    rules.enforce(amount_paise, rules.debit(state, now, policy))
    ids = {"wallet_id": state.wallet_id, "payment_id": payment_id, "merchant_id": merchant_id, "order_id": order_id}
    if not hold:
        return [
            WalletPaid(
                **ids,
                amount_paise=amount_paise,
                balance_after_paise=state.balance_paise - amount_paise,
                occurred_at=now,
            )
        ]
    placed = WalletHoldPlaced(
        **ids,
        amount_paise=amount_paise,
        expires_at=now + hold_timeout,
        balance_after_paise=state.balance_paise,
        held_after_paise=state.held_paise + amount_paise,
        occurred_at=now,
    )
    return [placed]


def decide_transfer(
    sender: Wallet,
    receiver: Wallet,
    *,
    transfer_id: str,
    amount_paise: int,
    note: str | None,
    now: datetime,
    policy: PolicyTable,
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """The sender's and the receiver's events: both or neither. The receiver's credit is a load
    (see `shared.wallets.policy`); a refusal by either side's rules refuses the transfer."""
    existing(sender)
    if receiver.wallet_id == sender.wallet_id:
        raise InvalidMovementError(
            f"wallet {sender.wallet_id} cannot transfer to itself", field="to_wallet_id", wallet_id=sender.wallet_id
        )
    if not receiver.exists:
        raise WalletNotFoundError(
            f"wallet {receiver.wallet_id} does not exist", wallet_id=receiver.wallet_id, field="to_wallet_id"
        )
    allowances = rules.debit(sender, now, policy, p2p=True)
    allowances += rules.credit(receiver, now, policy, load=True, cash=False)
    rules.enforce(amount_paise, allowances)
    sent = WalletTransferSent(
        wallet_id=sender.wallet_id,
        transfer_id=transfer_id,
        to_wallet_id=receiver.wallet_id,
        amount_paise=amount_paise,
        note=note,
        balance_after_paise=sender.balance_paise - amount_paise,
        occurred_at=now,
    )
    received = WalletTransferReceived(
        wallet_id=receiver.wallet_id,
        transfer_id=transfer_id,
        from_wallet_id=sender.wallet_id,
        amount_paise=amount_paise,
        note=note,
        balance_after_paise=receiver.balance_paise + amount_paise,
        occurred_at=now,
    )
    return [sent], [received]


def decide_refund(
    state: Wallet, *, refund_id: str, payment_id: str, amount_paise: int, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    """A merchant's refund of a captured payment: refunds never exceed what was captured, and
    (a credit) never lift the balance over the cap; a refund is not a load."""
    existing(state)
    payment = state.payments.get(payment_id)
    if payment is None:
        raise PaymentNotFoundError(
            f"wallet {state.wallet_id} has no payment {payment_id}", payment_id=payment_id, field="payment_id"
        )
    refundable = payment.status in (PaymentStatus.PAID, PaymentStatus.CAPTURED)
    limit = payment.captured_paise if refundable else 0
    within = rules.Allowance(state.wallet_id, ppi.REFUND_WITHIN_CAPTURED, limit, limit - payment.refunded_paise)
    rules.enforce(amount_paise, [within, *rules.credit(state, now, policy, load=False, cash=False)])
    refunded = WalletRefunded(
        wallet_id=state.wallet_id,
        refund_id=refund_id,
        payment_id=payment_id,
        merchant_id=payment.merchant_id,
        amount_paise=amount_paise,
        balance_after_paise=state.balance_paise + amount_paise,
        occurred_at=now,
    )
    return [refunded]
