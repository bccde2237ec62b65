"""What becomes of a payment leaving Bahi, as the reversal process manager reports it on the
payer's VPA: the switch's answer (`SettleUpiPayment`: COMPLETED with the payer's debit made final
in the same append, DECLINED with the payer's credit back in it, or DEEMED) and the reversal of a
deemed one (`ReverseUpiPayment`: `UpiPaymentReversed` and the payer's credit back in one append,
with its lateness and compensation). Each is a movement of the payer's VPA (`payment_id`): a
repeat answers the first result and appends nothing, and the VPA refuses an answer for a payment
no longer waiting for it."""

from __future__ import annotations

from typing import Any

from command_service.handling import Clock, Decision, Loader, with_reason
from command_service.upi import domain
from command_service.upi.commands import ReverseUpiPayment, SettleUpiPayment
from command_service.upi.handlers.streams import Ledgers, leg_stream, load_vpa, vpa_stream
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi.events import UpiPaymentCompleted, UpiPaymentDeclined, UpiPaymentReversed
from shared.upi.ledger import UpiLedger, UpiRefund, UpiSettlement
from shared.upi.values import PaymentStatus

_STATUS = {
    "UpiPaymentCompleted": PaymentStatus.COMPLETED,
    "UpiPaymentDeclined": PaymentStatus.DECLINED,
    "UpiPaymentDeemed": PaymentStatus.DEEMED,
    "UpiPaymentReversed": PaymentStatus.REVERSED,
}


async def _decision(
    load: Loader,
    payer: domain.Vpa,
    version: int,
    events: list[DomainEvent],
    metadata: EventMetadata,
    ledgers: Ledgers,
) -> Decision:
    payment = payer.outbound[getattr(events[0], "payment_id")]  # noqa: B009 (every outcome event has one)
    event = events[0]
    answer: dict[str, Any] = {
        **event.model_dump(mode="json"),
        "payer_vpa": payer.vpa,
        "status": _STATUS[type(event).__name__].value,
    }
    why = getattr(event, "reason", None) or f"credited at {payment.payee_vpa}'s psp"
    metadata = with_reason(metadata, f"UPI {payment.rrn}: {why}"[:200])
    streams = [vpa_stream(payer.vpa, version, events, metadata)]
    if isinstance(event, UpiPaymentDeclined | UpiPaymentReversed):
        refund = UpiRefund(
            payment_id=event.payment_id,
            rrn=payment.rrn,
            vpa=payer.vpa,
            counterparty_vpa=payment.payee_vpa,
            amount_paise=payment.amount_paise,
            reason=event.reason,
            debited_at=payment.debited_at,
        )
        leg = await ledgers[payer.link_type].refund(load, payer.link_id, refund, event.occurred_at)
        streams.append(leg_stream(leg, metadata))
        answer["payer_balance_after_paise"] = leg.balance_after_paise
    elif isinstance(event, UpiPaymentCompleted):  # the payer's debit is final: its account or wallet may close
        settled = UpiSettlement(event.payment_id, payment.rrn, payer.vpa, payment.payee_vpa, payment.amount_paise)
        leg = await ledgers[payer.link_type].settle(load, payer.link_id, settled, event.occurred_at)
        streams.append(leg_stream(leg, metadata))
    return Decision(streams, answer)


async def settle_payment(
    cmd: SettleUpiPayment,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    upi_policy: PolicyTable,
    upi_account_ledger: UpiLedger,
    upi_wallet_ledger: UpiLedger,
) -> Decision:
    payer, version = await load_vpa(load, target_id)
    events = domain.decide_switch_answer(
        payer, payment_id=cmd.payment_id, outcome=cmd.outcome, reason=cmd.reason, now=clock(), policy=upi_policy
    )
    return await _decision(load, payer, version, events, metadata, Ledgers(upi_account_ledger, upi_wallet_ledger))


async def reverse_payment(
    cmd: ReverseUpiPayment,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    upi_policy: PolicyTable,
    upi_account_ledger: UpiLedger,
    upi_wallet_ledger: UpiLedger,
) -> Decision:
    payer, version = await load_vpa(load, target_id)
    events = domain.decide_reversal(payer, payment_id=cmd.payment_id, reason=cmd.reason, now=clock(), policy=upi_policy)
    return await _decision(load, payer, version, events, metadata, Ledgers(upi_account_ledger, upi_wallet_ledger))
