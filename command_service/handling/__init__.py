"""The generic command machinery: envelopes and decisions, loading aggregates, dispatch
(idempotency, If-Match, bounded retry of conflicts, one atomic append) and the registry
that merges every context's manifest. It names no context."""

from command_service.handling.decisions import Clock, Command, Decision, Envelope, new_events
from command_service.handling.dispatch import (
    ConflictError,
    Dispatcher,
    Handler,
    IdempotencyKeyReusedError,
    MissingDependencyError,
    Outcome,
    PreconditionFailedError,
    ReservedIdempotencyKeyError,
    inject,
    request_hash,
)
from command_service.handling.loading import AggregateType, Loader
from command_service.handling.locks import StreamLocks
from command_service.handling.manifest import CommandManifest
from command_service.handling.movements import MovementId, MovementIdReusedError, MovementIdTakenError
from command_service.handling.registry import CommandRegistry, default_registry
from command_service.handling.wrapping import with_reason

__all__ = [
    "AggregateType",
    "Clock",
    "Command",
    "CommandManifest",
    "CommandRegistry",
    "ConflictError",
    "Decision",
    "Dispatcher",
    "Envelope",
    "Handler",
    "IdempotencyKeyReusedError",
    "Loader",
    "MissingDependencyError",
    "MovementId",
    "MovementIdReusedError",
    "MovementIdTakenError",
    "Outcome",
    "PreconditionFailedError",
    "ReservedIdempotencyKeyError",
    "StreamLocks",
    "default_registry",
    "inject",
    "new_events",
    "request_hash",
    "with_reason",
]
