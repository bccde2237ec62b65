"""Evolving a VPA and an RRN's claim: pure folds of their events."""

from __future__ import annotations

from dataclasses import replace

from command_service.upi.domain.state import Collect, RrnClaim, Vpa
from shared.events import DomainEvent
from shared.periods import ist_date
from shared.upi.events import (
    UpiCollectAccepted,
    UpiCollectDeclined,
    UpiCollectRequested,
    UpiPaymentSent,
    UpiRrnClaimed,
    UpiVpaRegistered,
)


def evolve(state: Vpa, event: DomainEvent) -> Vpa:
    match event:
        case UpiVpaRegistered():
            return Vpa(
                vpa=event.vpa,
                kind=event.kind,
                link_type=event.link_type,
                link_id=event.link_id,
                customer_id=event.customer_id,
                registered_at=event.occurred_at,
            )
        case UpiPaymentSent():
            window = state.window_sent_paise + (event.amount_paise if event.in_new_vpa_window else 0)
            by_day = state.p2p_by_day
            if event.p2p:
                day = ist_date(event.occurred_at).isoformat()
                by_day = {day: by_day.get(day, 0) + event.amount_paise}
            return replace(state, p2p_by_day=by_day, window_sent_paise=window)
    return state


def evolve_registration(state: Vpa, event: DomainEvent) -> Vpa:
    """Only the registration: what a payment needs of its payee's VPA, which never changes (so a
    cached one may be trusted unread: `Loader.settled`)."""
    return evolve(state, event) if isinstance(event, UpiVpaRegistered) else state


def evolve_claim(state: RrnClaim, event: DomainEvent) -> RrnClaim:
    if isinstance(event, UpiRrnClaimed):
        return RrnClaim(rrn=event.rrn, payment_id=event.payment_id, payer_vpa=event.payer_vpa)
    return state


def evolve_collect(state: Collect, event: DomainEvent) -> Collect:
    match event:
        case UpiCollectRequested():
            return Collect(
                collect_id=event.collect_id,
                payee_vpa=event.payee_vpa,
                payer_vpa=event.payer_vpa,
                payer_customer_id=event.payer_customer_id,
                amount_paise=event.amount_paise,
                note=event.note,
                expires_at=event.expires_at,
                status="REQUESTED",
            )
        case UpiCollectAccepted():
            return replace(state, status="ACCEPTED", rrn=event.rrn)
        case UpiCollectDeclined():
            return replace(state, status="DECLINED")
    return state


def fold(state: Vpa, events: list[DomainEvent]) -> Vpa:
    for event in events:
        state = evolve(state, event)
    return state
