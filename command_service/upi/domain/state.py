"""A VPA's state, folded from its stream: what it is linked to, when it was registered, what it
sent that its limits count (P2P per IST day: the latest day only; within the new-VPA window), and
its payments leaving Bahi that are not final yet (PENDING or DEEMED: `outbound`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.upi.values import LinkType, PaymentStatus, VpaKind


@dataclass(frozen=True)
class Outbound:
    """A payment leaving Bahi, debited and not yet completed, declined or reversed."""

    rrn: str
    payee_vpa: str
    amount_paise: int
    debited_at: datetime
    p2p: bool
    in_new_vpa_window: bool
    status: PaymentStatus = PaymentStatus.PENDING
    reverse_by: datetime | None = None
    """Set once deemed: the end of T+1."""


@dataclass(frozen=True)
class Vpa:
    vpa: str = ""
    kind: VpaKind = VpaKind.PERSON
    link_type: LinkType = LinkType.ACCOUNT
    link_id: str = ""
    customer_id: str = ""
    registered_at: datetime | None = None
    p2p_by_day: dict[str, int] = field(default_factory=dict)
    """P2P sent per IST day ("2026-12-01"); only the latest day is kept (earlier ones bind no more)."""
    window_sent_paise: int = 0
    """Sent by payments decided within the new-VPA window (each event says whether it was)."""
    outbound: dict[str, Outbound] = field(default_factory=dict)
    """Payments leaving Bahi by payment id, PENDING or DEEMED (a final one is dropped)."""

    @property
    def exists(self) -> bool:
        return self.registered_at is not None


@dataclass(frozen=True)
class Collect:
    collect_id: str = ""
    payee_vpa: str = ""
    payer_vpa: str = ""
    payer_customer_id: str = ""
    amount_paise: int = 0
    note: str | None = None
    expires_at: datetime | None = None
    status: str | None = None
    """REQUESTED, ACCEPTED or DECLINED (a lapsed request stays REQUESTED: lapsing is its time passing)."""
    rrn: str | None = None
