"""What a handler is given and what it returns: the command's envelope (what the HTTP layer
knows about the request), the decision (the streams to append to and the answer), and the
wrapping of domain events for the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from command_service.event_store import AppendStream
from command_service.handling.movements import MovementId
from command_service.handling.wrapping import wrap
from shared.envelope import EventMetadata, NewEvent
from shared.events import DomainEvent

Clock = Callable[[], datetime]


class Command(BaseModel):
    """A validated request (pydantic): bad input never reaches the domain."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    creates_aggregate: ClassVar[bool] = False
    """True when the server picks the new aggregate's id (it is then not part of the request)."""
    movement: ClassVar[MovementId | None] = None
    """The body's own id that is an idempotency key for the target stream (see `movements`)."""


@dataclass(frozen=True)
class Envelope:
    """A command with what the HTTP layer knows about its request."""

    command: Command
    idempotency_key: str | None = None
    expected_version: int | None = None
    metadata: EventMetadata = field(default_factory=EventMetadata)
    target_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a handler decided: the streams to append to (the first is the command's
    own stream, whose version goes into the consistency token) and the answer body."""

    streams: list[AppendStream]
    response: dict[str, Any] = field(default_factory=dict)


def new_events(events: list[DomainEvent], metadata: EventMetadata) -> list[NewEvent]:
    return [wrap(event, metadata) for event in events]
