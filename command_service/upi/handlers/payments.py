"""A UPI payment between two VPAs of Bahi: one atomic append of the payer VPA's `UpiPaymentSent`,
the payer's debit and the payee's credit, each leg decided by the context that holds the money
(`shared.upi.ledger`), under an RRN no other payment got (`rrns`). Both sides move or neither;
money is conserved because one transaction carries the debit and the credit of one amount. A
concurrent write to any of the three streams makes the append fail, and the dispatcher decides
it all again on what is stored. An accepted collect
request is such a payment too (`collects`).

A payment to another psp's VPA leaves Bahi: one append of the PENDING `UpiPaymentSent` and the
payer's debit; the switch's answer and any reversal are `outbound`'s."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from command_service.event_store import AppendStream
from command_service.handling import Clock, Decision, Loader, with_reason
from command_service.upi import domain
from command_service.upi.commands import PayByUpi
from command_service.upi.handlers.rrns import RrnSerials
from command_service.upi.handlers.streams import Ledgers, leg_stream, load_registration, load_vpa, vpa_stream
from shared.envelope import EventMetadata
from shared.policy import PolicyTable
from shared.upi.ledger import UpiLedger, UpiMovement
from shared.upi.values import PaymentStatus, VpaKind, psp_of


class Upi(NamedTuple):
    """What deciding a payment needs besides the request: the loader and the injected ports (a
    named tuple: one is built per payment)."""

    load: Loader
    policy: PolicyTable
    psp: str
    ledgers: Ledgers
    rrns: RrnSerials


def _sent_at(stream: AppendStream) -> str:
    """When the payment was made, as its `UpiPaymentSent` has it in the store (its JSON: UTC, `Z`)."""
    at: str = stream.events[0].data["occurred_at"]
    return at


async def payment_streams(
    upi: Upi,
    *,
    payment_id: str,
    payer_vpa: str,
    payee_vpa: str,
    amount_paise: int,
    note: str | None,
    now: datetime,
    metadata: EventMetadata,
) -> Decision:
    """The payment's three streams (the payer VPA's first) and its answer."""
    load = upi.load
    payer, payer_version = await load_vpa(load, payer_vpa)
    if not payer.exists:  # who pays first: an unknown payer is a 404 whatever the payee
        domain.check_parties(payer, payer)
    if psp_of(payee_vpa) != upi.psp:
        return await _leaving_bahi(
            upi, payer, payer_version, payee_vpa, payment_id, amount_paise, note, now=now, metadata=metadata
        )
    payee = await load_registration(load, payee_vpa)
    domain.check_parties(payer, payee)  # before an RRN is taken (decide_payment checks them again, cheaply)
    rrn = await upi.rrns.next(load.store, now)
    sent = domain.decide_payment(
        payer, payee, payment_id=payment_id, rrn=rrn, amount_paise=amount_paise, note=note, now=now, policy=upi.policy
    )
    p2p = payee.kind is VpaKind.PERSON
    debit = UpiMovement(payment_id, rrn, payer.vpa, payee.vpa, amount_paise, note, p2p)
    credit = UpiMovement(payment_id, rrn, payee.vpa, payer.vpa, amount_paise, note, p2p)
    out = await upi.ledgers[payer.link_type].debit(load, payer.link_id, debit, now)
    into = await upi.ledgers[payee.link_type].credit(load, payee.link_id, credit, now)
    metadata = metadata if metadata.reason else with_reason(metadata, f"UPI {rrn} to {payee.vpa}")
    streams = [
        vpa_stream(payer.vpa, payer_version, sent, metadata),
        leg_stream(out, metadata),
        leg_stream(into, metadata),
    ]
    answer = {
        "payment_id": payment_id,
        "rrn": rrn,
        "status": PaymentStatus.COMPLETED.value,
        "payer_vpa": payer.vpa,
        "payee_vpa": payee.vpa,
        "amount_paise": amount_paise,
        "note": note,
        "payer_balance_after_paise": out.balance_after_paise,
        "completed_at": _sent_at(streams[0]),
    }
    return Decision(streams, answer)


async def _leaving_bahi(
    upi: Upi,
    payer: domain.Vpa,
    payer_version: int,
    payee_vpa: str,
    payment_id: str,
    amount_paise: int,
    note: str | None,
    *,
    now: datetime,
    metadata: EventMetadata,
) -> Decision:
    """To another psp's VPA: the PENDING payment and the payer's debit (two streams); the switch's
    answer comes through the reversal process manager."""
    rrn = await upi.rrns.next(upi.load.store, now)
    sent = domain.decide_outbound_payment(
        payer,
        payee_vpa=payee_vpa,
        payment_id=payment_id,
        rrn=rrn,
        amount_paise=amount_paise,
        note=note,
        now=now,
        policy=upi.policy,
    )
    debit = UpiMovement(payment_id, rrn, payer.vpa, payee_vpa, amount_paise, note, True, leaves_bahi=True)
    out = await upi.ledgers[payer.link_type].debit(upi.load, payer.link_id, debit, now)
    metadata = metadata if metadata.reason else with_reason(metadata, f"UPI {rrn} to {payee_vpa}")
    streams = [vpa_stream(payer.vpa, payer_version, sent, metadata), leg_stream(out, metadata)]
    answer = {
        "payment_id": payment_id,
        "rrn": rrn,
        "status": PaymentStatus.PENDING.value,
        "payer_vpa": payer.vpa,
        "payee_vpa": payee_vpa,
        "amount_paise": amount_paise,
        "note": note,
        "payer_balance_after_paise": out.balance_after_paise,
        "initiated_at": _sent_at(streams[0]),
        "completed_at": None,
    }
    return Decision(streams, answer)


async def pay(
    cmd: PayByUpi,
    *,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    upi_policy: PolicyTable,
    upi_psp: str,
    upi_account_ledger: UpiLedger,
    upi_wallet_ledger: UpiLedger,
    upi_rrns: RrnSerials,
) -> Decision:
    upi = Upi(load, upi_policy, upi_psp, Ledgers(upi_account_ledger, upi_wallet_ledger), upi_rrns)
    return await payment_streams(
        upi,
        payment_id=cmd.payment_id,
        payer_vpa=cmd.payer_vpa,
        payee_vpa=cmd.payee_vpa,
        amount_paise=cmd.amount_paise,
        note=cmd.note,
        now=clock(),
        metadata=metadata,
    )
