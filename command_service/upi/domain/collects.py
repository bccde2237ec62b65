"""Collect requests: P2P is push only, so only a MERCHANT VPA asks a payer for money. The payer
accepts (the payment is then decided as any payment, with the payer's limits at that moment, and
`payment_id` = the collect id) or declines, while the request is open: requested and not lapsed
(`shared.upi.policy.COLLECT_EXPIRY` after it was raised)."""

from __future__ import annotations

from datetime import datetime, timedelta

from command_service.upi.domain.errors import CollectNotFoundError, CollectStateError, InvalidUpiRequestError
from command_service.upi.domain.payments import check_parties
from command_service.upi.domain.state import Collect, Vpa
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi import policy as upi
from shared.upi.events import UpiCollectDeclined, UpiCollectRequested
from shared.upi.values import VpaKind


def decide_collect(
    state: Collect,
    payee: Vpa,
    payer: Vpa,
    *,
    collect_id: str,
    amount_paise: int,
    note: str | None,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    check_parties(payer, payee)
    if payee.kind is not VpaKind.MERCHANT:
        raise InvalidUpiRequestError(
            f"{payee.vpa} is a {payee.kind.value} VPA: only a MERCHANT VPA raises a collect request (P2P is push only)",
            field="payee_vpa",
            rule=upi.COLLECT_MERCHANT_ONLY,
        )
    if state.status is not None:
        raise CollectStateError(
            f"collect {collect_id} exists already",
            field="collect_id",
            collect_id=collect_id,
            collect_status=state.status,
        )
    requested = UpiCollectRequested(
        collect_id=collect_id,
        payee_vpa=payee.vpa,
        payer_vpa=payer.vpa,
        payer_customer_id=payer.customer_id,
        payee_customer_id=payee.customer_id,
        amount_paise=amount_paise,
        note=note,
        expires_at=now + timedelta(seconds=policy.value(upi.COLLECT_EXPIRY, now)),
        occurred_at=now,
    )
    return [requested]


def open_collect(state: Collect, now: datetime) -> Collect:
    """The request if the payer may still answer it; raises otherwise (404 unknown, 409 answered or lapsed)."""
    if state.status is None or state.expires_at is None:
        raise CollectNotFoundError(f"collect {state.collect_id} not found", collect_id=state.collect_id)
    if state.status != "REQUESTED":
        raise CollectStateError(
            f"collect {state.collect_id} is {state.status}", collect_id=state.collect_id, collect_status=state.status
        )
    if now >= state.expires_at:
        raise CollectStateError(
            f"collect {state.collect_id} lapsed at {state.expires_at.isoformat()}",
            collect_id=state.collect_id,
            collect_status="EXPIRED",
            expires_at=state.expires_at.isoformat(),
        )
    return state


def decide_decline(state: Collect, *, reason: str | None, now: datetime) -> list[DomainEvent]:
    open_collect(state, now)
    return [UpiCollectDeclined(collect_id=state.collect_id, reason=reason, occurred_at=now)]
