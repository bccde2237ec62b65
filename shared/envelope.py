"""The envelope every stored and published event travels in (DESIGN.md, Contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class EventMetadata(BaseModel):
    """Who and what caused an event; carried to Kafka as CloudEvents extensions (the audit
    fields `reason`, `request_id` and `client_address` stay in the event store, whose audit
    trail reads them). Every field is optional: events stored before a field existed read as
    they always did."""

    model_config = ConfigDict(frozen=True)

    correlation_id: str | None = None
    causation_id: str | None = None
    command_id: str | None = None
    actor: str | None = None
    traceparent: str | None = None
    reason: str | None = None
    """Why: the request's reason or narration, as the handler names it."""
    request_id: str | None = None
    """The HTTP request's id (its `X-Request-Id`, or the command id when it sent none)."""
    client_address: str | None = None
    """The client's address as the service saw it (behind a proxy: the proxy's forwarded one)."""


class NewEvent(BaseModel):
    """An event decided by the domain, not yet stored: no version, no position."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    event_type: str
    schema_version: int = Field(ge=1)
    data: dict[str, Any]
    metadata: EventMetadata = EventMetadata()
    _decided: Any = PrivateAttr(default=None)
    """The domain event `data` was dumped from, when this process decided it (not stored, not
    compared): the command side's cache folds it without parsing `data` again."""


class EventEnvelope(BaseModel):
    """A stored event: immutable, with its stream version and global position."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    stream_id: str
    stream_type: str
    version: int = Field(ge=1)
    position: int = Field(ge=1)
    event_type: str
    schema_version: int = Field(ge=1)
    data: dict[str, Any]
    metadata: EventMetadata
    recorded_at: datetime
