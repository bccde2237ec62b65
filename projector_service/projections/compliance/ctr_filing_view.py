"""The CTR filing view: one document per month filed (`_id` = the month), from its stream."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.compliance.events import CtrFiled
from shared.compliance.read_models import COMPLIANCE_CTR_FILING_VIEW
from shared.compliance.streams import CTR_FILING
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return CTR_FILING.key(env.stream_id) if env.event_type == CtrFiled.__name__ else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if not isinstance(event, CtrFiled):
        return doc
    return {
        "_id": event.month,
        "month": event.month,
        "reference": event.reference,
        "filed_at": event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "filed_by": env.metadata.actor,
    }


COMPLIANCE_CTR_FILING_PROJECTION = Projection(
    name=COMPLIANCE_CTR_FILING_VIEW,
    collection=COMPLIANCE_CTR_FILING_VIEW,
    stream_types=(CTR_FILING.name,),
    doc_id=_doc_id,
    apply=apply,
)
