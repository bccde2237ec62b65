"""Finding an alert from the source of truth: the subject's stream as stored, folded by the same
rules the projector runs (`shared.risk.subjects`). The command side never reads the views, so a
review is checked against what the events say, not against a projection that may lag."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.events import DomainEvent
from shared.risk.subjects import evolve, new_subject
from shared.risk.values import AlertRef


def find_alert(ref: AlertRef, events: Iterable[tuple[int, str, DomainEvent]]) -> dict[str, Any] | None:
    """The alert `ref` names as the subject's events (version, stream id, event) raise it, with
    the triggers seen so far; None when they raise no such alert."""
    state = new_subject(ref.subject)
    wanted = f"{ref.rule.value}-{ref.version}-{ref.subject}"
    for version, stream_id, event in events:
        state = evolve(state, event, stream_id, version) or state
    return next((a for a in state["alerts"] if a["alert_id"] == wanted), None)
