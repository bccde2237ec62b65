"""The STR view: one document per STR case (`_id` = the case id), from its own stream: OPEN when
the escalation opened it, FILED (with the filing) once its STR was filed."""

from __future__ import annotations

from datetime import datetime

from projector_service.engine import Document, Projection
from shared.compliance.events import StrCaseOpened, StrFiled
from shared.compliance.read_models import COMPLIANCE_STR_VIEW
from shared.compliance.streams import STR_CASE
from shared.envelope import EventEnvelope
from shared.events import DomainEvent

_READ = frozenset((StrCaseOpened.__name__, StrFiled.__name__))


def _doc_id(env: EventEnvelope) -> str | None:
    return STR_CASE.key(env.stream_id) if env.event_type in _READ else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if isinstance(event, StrFiled) and doc is not None:
        filing = {"reference": event.reference, "filed_at": _utc(event.occurred_at), "filed_by": env.metadata.actor}
        return {**doc, "status": "FILED", "filing": filing}
    if not isinstance(event, StrCaseOpened):
        return None
    return {
        "_id": event.case_id,
        "case_id": event.case_id,
        "status": "OPEN",
        "alert_id": event.alert_id,
        "rule": event.rule,
        "subject": event.subject,
        "customer_id": event.customer_id,
        "note": event.note,
        "opened_at": _utc(event.occurred_at),
        "opened_by": env.metadata.actor,
        "due_date": event.due_date.isoformat(),
        "linked_transactions": [t.model_dump() for t in event.linked],
        "sort_key": f"{event.due_date.isoformat()}|{event.case_id}",
        "filing": None,
    }


def _utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


COMPLIANCE_STR_PROJECTION = Projection(
    name=COMPLIANCE_STR_VIEW, collection=COMPLIANCE_STR_VIEW, stream_types=(STR_CASE.name,), doc_id=_doc_id, apply=apply
)
