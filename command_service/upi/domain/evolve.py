"""Evolving a VPA and a collect request: pure folds of their events."""

from __future__ import annotations

from dataclasses import replace

from command_service.upi.domain.state import Collect, Outbound, Vpa
from shared.events import DomainEvent
from shared.frozen import replacer
from shared.periods import ist_date
from shared.upi.events import (
    UpiCollectAccepted,
    UpiCollectDeclined,
    UpiCollectRequested,
    UpiPaymentCompleted,
    UpiPaymentDeclined,
    UpiPaymentDeemed,
    UpiPaymentReversed,
    UpiPaymentSent,
    UpiVpaRegistered,
)
from shared.upi.values import PaymentStatus

_with = replacer(Vpa)
"""`dataclasses.replace` for the VPA, without its per-call introspection (`shared.frozen`)."""


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
            outbound = state.outbound
            if event.status is PaymentStatus.PENDING:
                pending = Outbound(
                    rrn=event.rrn,
                    payee_vpa=event.payee_vpa,
                    amount_paise=event.amount_paise,
                    debited_at=event.occurred_at,
                    p2p=event.p2p,
                    in_new_vpa_window=event.in_new_vpa_window,
                )
                outbound = {**outbound, event.payment_id: pending}
            return _with(state, p2p_by_day=by_day, window_sent_paise=window, outbound=outbound)
        case UpiPaymentDeemed() if event.payment_id in state.outbound:
            deemed = replace(state.outbound[event.payment_id], status=PaymentStatus.DEEMED, reverse_by=event.reverse_by)
            return _with(state, outbound={**state.outbound, event.payment_id: deemed})
        case UpiPaymentCompleted():
            return _with(state, outbound=_without(state.outbound, event.payment_id))
        case UpiPaymentDeclined() | UpiPaymentReversed() if event.payment_id in state.outbound:
            return _given_back(state, state.outbound[event.payment_id], event.payment_id)
    return state


def _without(outbound: dict[str, Outbound], payment_id: str) -> dict[str, Outbound]:
    return {k: v for k, v in outbound.items() if k != payment_id}


def _given_back(state: Vpa, payment: Outbound, payment_id: str) -> Vpa:
    """A payment that failed counts towards no limit (NPCI counts successful payments only): its
    amount leaves its IST day's P2P total (if that day is still the one kept) and the window's."""
    by_day = state.p2p_by_day
    day = ist_date(payment.debited_at).isoformat()
    if payment.p2p and day in by_day:
        by_day = {day: max(by_day[day] - payment.amount_paise, 0)}
    window = state.window_sent_paise - (payment.amount_paise if payment.in_new_vpa_window else 0)
    outbound = _without(state.outbound, payment_id)
    return _with(state, p2p_by_day=by_day, window_sent_paise=max(window, 0), outbound=outbound)


def evolve_registration(state: Vpa, event: DomainEvent) -> Vpa:
    """Only the registration: what a payment needs of its payee's VPA, which never changes (so a
    cached one may be trusted unread: `Loader.settled`)."""
    return evolve(state, event) if isinstance(event, UpiVpaRegistered) else state


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
