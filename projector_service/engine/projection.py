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

    By default every document belongs to one stream and records the last stream
    `version` applied to it: an event at or below that version is a redelivery
    and is skipped. A `multi_stream` projection (one document fed by many
    streams, e.g. a customer's summary over all their orders) records the last
    version applied per stream in `_applied` (stream ids must not contain "." or
    "$") and counts its own revisions in `version`. Either way `version` changes
    on every write, so it is also the optimistic guard of the write.
    """

    name: str
    collection: str
    stream_types: tuple[str, ...]
    doc_id: Callable[[EventEnvelope], str | None]
    apply: Apply
    multi_stream: bool = False
