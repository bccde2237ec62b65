"""Event contracts: the base of every domain event and the registry of event types.

Each context declares its events (frozen pydantic models, one per event type and schema
version) in `shared.<context>`; old schema versions are turned into the current one by the
context's upcasters when read (`upcast`), and stored rows are never rewritten.
"""

from shared.events.base import DomainEvent
from shared.events.registry import (
    CE_TYPE_PREFIX,
    EVENTS,
    EventRegistry,
    UnknownEventError,
    Upcaster,
    current_schema_version,
    parse_event,
    upcast,
)

__all__ = [
    "CE_TYPE_PREFIX",
    "EVENTS",
    "DomainEvent",
    "EventRegistry",
    "UnknownEventError",
    "Upcaster",
    "current_schema_version",
    "parse_event",
    "upcast",
]
