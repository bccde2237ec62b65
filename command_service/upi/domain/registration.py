"""Registering a VPA: Bahi's psp only, linked to an account or a wallet that exists and is
active, claimed once (the append at "no stream yet" settles a race)."""

from __future__ import annotations

from datetime import datetime

from command_service.upi.domain.errors import InvalidUpiRequestError, VpaTakenError
from command_service.upi.domain.state import Vpa
from shared.events import DomainEvent
from shared.upi.events import UpiVpaRegistered
from shared.upi.ledger import Holder
from shared.upi.values import LinkType, VpaKind, psp_of


def decide_register(
    state: Vpa,
    *,
    vpa: str,
    kind: VpaKind,
    link_type: LinkType,
    holder: Holder,
    psp: str,
    now: datetime,
) -> list[DomainEvent]:
    if psp_of(vpa) != psp:
        raise InvalidUpiRequestError(f"{vpa} is not a VPA of Bahi's psp @{psp}", field="vpa", psp=psp)
    if state.exists:
        raise VpaTakenError(f"VPA {vpa} is registered already", field="vpa", vpa=vpa)
    field = "account_id" if link_type is LinkType.ACCOUNT else "wallet_id"
    if not holder.active:
        raise InvalidUpiRequestError(f"{field} {holder.link_id} is not active", field=field)
    registered = UpiVpaRegistered(
        vpa=vpa,
        kind=kind,
        link_type=link_type,
        link_id=holder.link_id,
        customer_id=holder.customer_id,
        occurred_at=now,
    )
    return [registered]
