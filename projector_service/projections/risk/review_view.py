"""The review view: one document per reviewed alert (`_id` = the alert id), from its review
stream: every decision oldest first and the status the last one left. The query service merges it
into the alert (an alert without one is OPEN)."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.risk.events import RiskAlertReviewed
from shared.risk.read_models import RISK_REVIEW_VIEW
from shared.risk.streams import REVIEW


def _doc_id(env: EventEnvelope) -> str | None:
    if env.event_type != RiskAlertReviewed.__name__:
        return None
    return REVIEW.key(env.stream_id)


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if not isinstance(event, RiskAlertReviewed):
        return doc
    review = {
        "decision": event.decision.value,
        "note": event.note,
        "actor": env.metadata.actor,
        "reviewed_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "version": env.version,
    }
    reviews = [*(doc or {}).get("reviews", []), review]
    return {
        "_id": event.alert_id,
        "alert_id": event.alert_id,
        "rule": event.rule.value,
        "subject": event.subject,
        "status": event.decision.value,
        "reviews": reviews,
    }


RISK_REVIEW_PROJECTION = Projection(
    name=RISK_REVIEW_VIEW, collection=RISK_REVIEW_VIEW, stream_types=(REVIEW.name,), doc_id=_doc_id, apply=apply
)
