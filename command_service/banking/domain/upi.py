"""The account's side of a UPI payment (the upi context asks through `shared.upi.ledger`): a
debit from a VPA linked to the account applies the account's debit rules (no overdraft, none
while frozen or closed, a BSBD account's monthly debits); a credit its credit rules (none to a
closed account, a BSBD account's cap and yearly credits). The VPA's own limits are the upi
context's."""

from __future__ import annotations

from datetime import datetime

from command_service.banking.domain import rules
from command_service.banking.domain.lifecycle import existing
from command_service.banking.domain.state import Account
from shared.banking.events import AccountUpiCredited, AccountUpiDebited, AccountUpiReversed, AccountUpiSettled
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi.ledger import UpiMovement, UpiRefund, UpiSettlement


def decide_upi_debit(state: Account, movement: UpiMovement, *, now: datetime, policy: PolicyTable) -> list[DomainEvent]:
    existing(state, field="payer_vpa")
    rules.enforce(movement.amount_paise, rules.debit(state, now, policy))
    debited = AccountUpiDebited(
        account_id=state.account_id,
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


def decide_upi_credit(
    state: Account, movement: UpiMovement, *, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    existing(state, field="payee_vpa")
    rules.enforce(movement.amount_paise, rules.credit(state, now, policy))
    credited = AccountUpiCredited(
        account_id=state.account_id,
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


def decide_upi_refund(state: Account, refund: UpiRefund, *, now: datetime) -> list[DomainEvent]:
    """A failed outbound payment's amount back to the payer: no rule refuses it (frozen or not)."""
    existing(state, field="payer_vpa")
    reversed_ = AccountUpiReversed(
        account_id=state.account_id,
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


def decide_upi_settle(state: Account, settled: UpiSettlement, *, now: datetime) -> list[DomainEvent]:
    """A payment that left Bahi credited at the payee's psp: its debit is final (nothing refuses it,
    frozen or closed alike: the money left when it was debited)."""
    existing(state, field="payer_vpa")
    final = AccountUpiSettled(account_id=state.account_id, **settled.event_fields(state.balance_paise, now))
    return [final]
