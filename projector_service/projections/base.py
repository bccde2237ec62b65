"""What a projection is: which streams it reads and how one event changes one document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.envelope import EventEnvelope
from shared.events import DomainEvent

Document = dict[str, Any]
Apply = Callable[[Document | None, DomainEvent, EventEnvelope], Document | None]


@dataclass(frozen=True)
class Projection:
    """`apply` returns the new document, or the old one (or None) when the event does not concern it.

    Every document belongs to one stream and records the last stream `version`
    applied to it: an event at or below that version is a redelivery and is skipped.
    """

    name: str
    collection: str
    stream_types: tuple[str, ...]
    doc_id: Callable[[EventEnvelope], str | None]
    apply: Apply
