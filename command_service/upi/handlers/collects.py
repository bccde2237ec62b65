"""Collect requests: raised by a merchant's VPA (its stream at "no stream yet"), accepted by the
payer — the payment's four streams and `UpiCollectAccepted` on the collect's stream in one
append, so a collect is paid at most once (a second acceptance conflicts, and its retry finds it
ACCEPTED) — or declined."""

from __future__ import annotations

from typing import Any

from command_service.event_store import NO_STREAM, AppendStream
from command_service.handling import Clock, Decision, Loader, new_events
from command_service.upi import domain
from command_service.upi.commands import AcceptCollect, DeclineCollect, RequestCollect
from command_service.upi.handlers.payments import Upi, payment_streams
from command_service.upi.handlers.rrns import RrnSerials
from command_service.upi.handlers.streams import Ledgers, load_registration
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi.events import UpiCollectAccepted
from shared.upi.ledger import UpiLedger
from shared.upi.streams import COLLECT


async def load_collect(load: Loader, collect_id: str) -> tuple[domain.Collect, int]:
    return await load(COLLECT.stream_id(collect_id), domain.Collect(collect_id=collect_id), domain.evolve_collect)


def _stream(collect_id: str, version: int, events: list[DomainEvent], metadata: EventMetadata) -> AppendStream:
    return AppendStream(COLLECT.stream_id(collect_id), COLLECT.name, version, new_events(events, metadata))


def _answer(state: domain.Collect) -> dict[str, Any]:
    return {
        "collect_id": state.collect_id,
        "payee_vpa": state.payee_vpa,
        "payer_vpa": state.payer_vpa,
        "amount_paise": state.amount_paise,
        "note": state.note,
        "status": state.status,
        "expires_at": state.expires_at.isoformat() if state.expires_at else None,
        "rrn": state.rrn,
    }


async def request_collect(
    cmd: RequestCollect, *, metadata: EventMetadata, load: Loader, clock: Clock, upi_policy: PolicyTable
) -> Decision:
    state, _ = await load_collect(load, cmd.collect_id)
    payee = await load_registration(load, cmd.payee_vpa)
    payer = await load_registration(load, cmd.payer_vpa)
    events = domain.decide_collect(
        state,
        payee,
        payer,
        collect_id=cmd.collect_id,
        amount_paise=cmd.amount_paise,
        note=cmd.note,
        now=clock(),
        policy=upi_policy,
    )
    answer = _answer(domain.evolve_collect(state, events[0]))
    return Decision([_stream(cmd.collect_id, NO_STREAM, events, metadata)], answer)


async def accept_collect(
    cmd: AcceptCollect,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    upi_policy: PolicyTable,
    upi_psp: str,
    upi_account_ledger: UpiLedger,
    upi_wallet_ledger: UpiLedger,
    upi_rrns: RrnSerials,
) -> Decision:
    """The collect's stream first (the answer's token is the collect's)."""
    now = clock()
    state, version = await load_collect(load, target_id)
    domain.open_collect(state, now)
    upi = Upi(load, upi_policy, upi_psp, Ledgers(upi_account_ledger, upi_wallet_ledger), upi_rrns)
    payment = await payment_streams(
        upi,
        payment_id=state.collect_id,
        payer_vpa=state.payer_vpa,
        payee_vpa=state.payee_vpa,
        amount_paise=state.amount_paise,
        note=state.note,
        now=now,
        metadata=metadata,
    )
    accepted = UpiCollectAccepted(collect_id=state.collect_id, rrn=payment.response["rrn"], occurred_at=now)
    answer = {**_answer(domain.evolve_collect(state, accepted)), "payment": payment.response}
    return Decision([_stream(target_id, version, [accepted], metadata), *payment.streams], answer)


async def decline_collect(
    cmd: DeclineCollect, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_collect(load, target_id)
    events = domain.decide_decline(state, reason=cmd.reason, now=clock())
    answer = _answer(domain.evolve_collect(state, events[0]))
    return Decision([_stream(target_id, version, events, metadata)], answer)
