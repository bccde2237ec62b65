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
from shared.upi.ledger import UpiMovement
from shared.wallets.events import WalletUpiCredited, WalletUpiDebited


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
