"""An alert's review stream (`risk-review-<alert_id>`): its state, folded from its decisions, and
the decision of a new one. OPEN (no review yet) may go to UNDER_REVIEW, DISMISSED or ESCALATED;
UNDER_REVIEW to DISMISSED or ESCALATED; DISMISSED and ESCALATED are final (a 409 naming the
current status and what is allowed next). An escalation opens the alert's STR case (compliance):
its due date is computed from the escalation's own time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.compliance.deadlines import str_due_date
from shared.compliance.events import LinkedTransaction, StrCaseOpened
from shared.errors import DomainError
from shared.events import DomainEvent
from shared.risk.events import RiskAlertReviewed
from shared.risk.values import NEXT, AlertRef, AlertStatus, ReviewDecision


class AlertNotFoundError(DomainError):
    status = 404


class ReviewTransitionError(DomainError):
    status = 409


class Review(BaseModel):
    model_config = ConfigDict(frozen=True)

    alert_id: str
    status: AlertStatus = AlertStatus.OPEN
    decisions: int = 0


def evolve(state: Review, event: DomainEvent) -> Review:
    if isinstance(event, RiskAlertReviewed):
        return state.model_copy(update={"status": AlertStatus(event.decision.value), "decisions": state.decisions + 1})
    return state


def decide_review(
    state: Review, ref: AlertRef, alert: dict[str, Any] | None, decision: ReviewDecision, note: str, now: datetime
) -> list[DomainEvent]:
    if alert is None:
        raise AlertNotFoundError(f"alert {state.alert_id} not found", field="alert_id")
    allowed = NEXT[state.status]
    if decision not in allowed:
        raise ReviewTransitionError(
            f"alert {state.alert_id} is {state.status.value}: it cannot become {decision.value}",
            field="decision",
            current_status=state.status.value,
            allowed_next=[d.value for d in allowed],
        )
    return [
        RiskAlertReviewed(
            alert_id=state.alert_id, rule=ref.rule, subject=ref.subject, decision=decision, note=note, occurred_at=now
        )
    ]


def str_case_opened(alert: dict[str, Any], note: str, now: datetime) -> StrCaseOpened:
    """The STR case an escalation opens (its id is the alert's), with the alert's triggers."""
    linked = tuple(
        LinkedTransaction(
            stream_id=t["stream_id"],
            version=t["version"],
            event_type=t["event_type"],
            amount_paise=t["amount_paise"],
            occurred_at=t["occurred_at"],
        )
        for t in alert["triggers"]
    )
    return StrCaseOpened(
        case_id=alert["alert_id"],
        alert_id=alert["alert_id"],
        rule=alert["rule"],
        subject=alert["subject"],
        customer_id=alert["customer_id"],
        note=note,
        linked=linked,
        due_date=str_due_date(now),
        occurred_at=now,
    )
