"""The risk context's one event: an analyst's decision on an alert, on its review stream."""

from __future__ import annotations

from datetime import datetime

from shared.events import DomainEvent, Upcaster
from shared.risk.values import ReviewDecision, Rule


class RiskAlertReviewed(DomainEvent):
    alert_id: str
    rule: Rule
    subject: str
    decision: ReviewDecision
    note: str
    occurred_at: datetime


EVENT_TYPES: tuple[type[DomainEvent], ...] = (RiskAlertReviewed,)
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
