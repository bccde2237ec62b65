"""Reviewing an alert: the decision on the alert's review stream at the version it was decided on
(a concurrent review conflicts, and the retry decides on the stored stream again) and, for an
escalation, the STR case's opening on its own stream at "no stream yet" (one case per alert) —
one append. The alert is checked by running the rules over its subject's stream as stored."""

from __future__ import annotations

from command_service.event_store import NO_STREAM, AppendStream, EventStore
from command_service.handling import Clock, Command, Decision, Handler, Loader, new_events
from command_service.risk import domain
from command_service.risk.commands import ReviewAlert
from shared.banking.streams import ACCOUNT
from shared.compliance.streams import STR_CASE
from shared.envelope import EventMetadata
from shared.events import parse_event
from shared.risk.streams import REVIEW
from shared.risk.values import AlertRef, ReviewDecision, SubjectType, parse_alert_id, subject_type
from shared.upi.streams import VPA
from shared.wallets.streams import WALLET


def subject_stream(ref: AlertRef) -> str:
    kind = subject_type(ref.subject)
    stream_type = VPA if kind is SubjectType.VPA else WALLET if kind is SubjectType.WALLET else ACCOUNT
    return stream_type.stream_id(ref.subject)


async def review_alert(
    cmd: ReviewAlert, *, target_id: str | None, metadata: EventMetadata, load: Loader, clock: Clock, store: EventStore
) -> Decision:
    ref = parse_alert_id(target_id or "")
    if ref is None or target_id is None:
        raise domain.AlertNotFoundError(f"alert {target_id} not found", field="alert_id")
    state, version = await load(REVIEW.stream_id(target_id), domain.Review(alert_id=target_id), domain.evolve)
    stream_id = subject_stream(ref)
    stored = await store.read_stream(stream_id)
    alert = domain.find_alert(
        ref, ((e.version, stream_id, parse_event(e.event_type, e.schema_version, e.data)) for e in stored)
    )
    now = clock()
    events = domain.decide_review(state, ref, alert, cmd.decision, cmd.note, now)
    streams = [AppendStream(REVIEW.stream_id(target_id), REVIEW.name, version, new_events(events, metadata))]
    answer: dict[str, object] = {"alert_id": target_id, "status": cmd.decision.value, "reviews": state.decisions + 1}
    if cmd.decision is ReviewDecision.ESCALATED and alert is not None:
        case = domain.str_case_opened(alert, cmd.note, now)
        streams.append(
            AppendStream(STR_CASE.stream_id(target_id), STR_CASE.name, NO_STREAM, new_events([case], metadata))
        )
        answer["str_case"] = {"case_id": case.case_id, "due_date": case.due_date.isoformat()}
    return Decision(streams, answer)


HANDLERS: dict[type[Command], Handler] = {ReviewAlert: review_alert}
