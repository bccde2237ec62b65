"""The demo context in the projector: one projection, the tally view."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.manifest import ProjectorManifest
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from tests.support.demo.shared import MANIFEST as SHARED
from tests.support.demo.shared import TALLY, TALLY_VIEW, TallyCounted


def _doc_id(env: EventEnvelope) -> str | None:
    return TALLY.key(env.stream_id) if env.stream_type == TALLY.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if not isinstance(event, TallyCounted):
        return doc
    counts = (doc or {}).get("counts", 0) + 1
    return {**(doc or {}), "_id": event.tally_id, "total": event.total, "counts": counts}


TALLY_PROJECTION = Projection(
    name=TALLY_VIEW, collection=TALLY_VIEW, stream_types=(TALLY.name,), doc_id=_doc_id, apply=apply
)

MANIFEST = ProjectorManifest(shared=SHARED, projections=(TALLY_PROJECTION,))
