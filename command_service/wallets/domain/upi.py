"""The wallet's side of a UPI payment (the upi context asks through `shared.upi.ledger`): a
debit from a VPA linked to the wallet applies the wallet's debit rules (none while frozen or
closed, never more than is available, and a minimum-KYC wallet's bar on P2P when the payee is a
person); a credit is a load like a P2P transfer received (the balance cap, a minimum-KYC wallet's
monthly and yearly loads). The VPA's own limits are the upi context's."""

from __future__ import annotations

from datetime import datetime

from command_service.wallets.domain import rules
from command_service.wallets.domain.lifecycle import existing
from command_service.wallets.domain.state import Wallet
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi.ledger import UpiMovement, UpiRefund, UpiSettlement
from shared.wallets.events import WalletUpiCredited, WalletUpiDebited, WalletUpiReversed, WalletUpiSettled


def decide_upi_debit(state: Wallet, movement: UpiMovement, *, now: datetime, policy: PolicyTable) -> list[DomainEvent]:
    existing(state)
    rules.enforce(movement.amount_paise, rules.debit(state, now, policy, p2p=movement.p2p))
    debited = WalletUpiDebited(
        wallet_id=state.wallet_id,
        payment_id=movement.payment_id,
        rrn=movement.rrn,
        vpa=movement.vpa,
        payee_vpa=movement.counterparty_vpa,
        amount_paise=movement.amount_paise,
        note=movement.note,
        balance_after_paise=state.balance_paise - movement.amount_paise,
        leaves_bahi=movement.leaves_bahi,
        occurred_at=now,
    )
    return [debited]


def decide_upi_credit(state: Wallet, movement: UpiMovement, *, now: datetime, policy: PolicyTable) -> list[DomainEvent]:
    existing(state)
    rules.enforce(movement.amount_paise, rules.credit(state, now, policy, load=True, cash=False))
    credited = WalletUpiCredited(
        wallet_id=state.wallet_id,
        payment_id=movement.payment_id,
        rrn=movement.rrn,
        vpa=movement.vpa,
        payer_vpa=movement.counterparty_vpa,
        amount_paise=movement.amount_paise,
        note=movement.note,
        balance_after_paise=state.balance_paise + movement.amount_paise,
        occurred_at=now,
    )
    return [credited]


def decide_upi_refund(state: Wallet, refund: UpiRefund, *, now: datetime) -> list[DomainEvent]:
    """A failed outbound payment's amount back to the payer: no rule refuses it (frozen or not)."""
    existing(state)
    reversed_ = WalletUpiReversed(
        wallet_id=state.wallet_id,
        payment_id=refund.payment_id,
        rrn=refund.rrn,
        vpa=refund.vpa,
        payee_vpa=refund.counterparty_vpa,
        amount_paise=refund.amount_paise,
        reason=refund.reason,
        debited_at=refund.debited_at,
        balance_after_paise=state.balance_paise + refund.amount_paise,
        occurred_at=now,
    )
    return [reversed_]


def decide_upi_settle(state: Wallet, settled: UpiSettlement, *, now: datetime) -> list[DomainEvent]:
    """A payment that left Bahi credited at the payee's psp: its debit is final (nothing refuses it,
    frozen or not: the money left when it was debited)."""
    existing(state)
    final = WalletUpiSettled(wallet_id=state.wallet_id, **settled.event_fields(state.balance_paise, now))
    return [final]
