"""Command handlers: load the aggregates, decide, and say what to append.

Handlers are plain `async def`s, command first, ports keyword-only
(`store`, `clock`, `policy`), registered in `registry.COMMAND_HANDLERS`.
`dispatch` wraps every one of them the same way: idempotency, If-Match, bounded
retry of concurrency conflicts, one atomic append.
"""

from command_service.handlers.base import Clock, Decision, Envelope, Policy, load, new_events
from command_service.handlers.dispatch import (
    ConflictError,
    IdempotencyKeyReusedError,
    Outcome,
    PreconditionFailedError,
    dispatch,
    request_hash,
)
from command_service.handlers.locks import StreamLocks
from command_service.handlers.registry import COMMAND_HANDLERS, Handler

__all__ = [
    "COMMAND_HANDLERS",
    "Clock",
    "ConflictError",
    "Decision",
    "Envelope",
    "Handler",
    "IdempotencyKeyReusedError",
    "Outcome",
    "Policy",
    "PreconditionFailedError",
    "StreamLocks",
    "dispatch",
    "load",
    "new_events",
    "request_hash",
]
