"""The subject view: one document per account, wallet or VPA (`_id` = its id), the fold of its own
stream by the risk rules (`shared.risk.subjects`): rolling state, rolling figures, alerts.

Effectively once by the engine's ordinary guard: each document is fed by exactly one stream (the
subject's), so it records that stream's last version applied and a redelivered or replayed event
is skipped. Events the fold does not read (a freeze, a settlement, an event type this code does
not know yet) are not even parsed (`doc_id` answers None for them)."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.banking.streams import ACCOUNT
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.risk.movements import EVENT_NAMES
from shared.risk.read_models import RISK_SUBJECT_VIEW
from shared.risk.subjects import evolve, new_subject
from shared.upi.streams import VPA
from shared.wallets.streams import WALLET

_SUBJECT_STREAMS = {ACCOUNT.name: ACCOUNT, WALLET.name: WALLET, VPA.name: VPA}


def _doc_id(env: EventEnvelope) -> str | None:
    stream_type = _SUBJECT_STREAMS.get(env.stream_type)
    if stream_type is None or env.event_type not in EVENT_NAMES:
        return None
    return stream_type.key(env.stream_id)


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    state = doc if doc is not None else new_subject(_SUBJECT_STREAMS[env.stream_type].key(env.stream_id))
    return evolve(state, event, env.stream_id, env.version)


RISK_SUBJECT_PROJECTION = Projection(
    name=RISK_SUBJECT_VIEW,
    collection=RISK_SUBJECT_VIEW,
    stream_types=tuple(_SUBJECT_STREAMS),
    doc_id=_doc_id,
    apply=apply,
)
