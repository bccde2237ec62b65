"""The event store: the port, a PostgreSQL adapter and an in-memory fake (same contract)."""

from command_service.event_store.ports import (
    ANY,
    NO_STREAM,
    AppendResult,
    AppendStream,
    ConcurrencyError,
    ConsistencyToken,
    DuplicateIdempotencyKeyError,
    EventStore,
    IdempotencyRecord,
    Records,
    Snapshot,
    StoredIdempotency,
    records_of,
)

__all__ = [
    "ANY",
    "NO_STREAM",
    "AppendResult",
    "AppendStream",
    "ConcurrencyError",
    "ConsistencyToken",
    "DuplicateIdempotencyKeyError",
    "EventStore",
    "IdempotencyRecord",
    "Records",
    "Snapshot",
    "StoredIdempotency",
    "records_of",
]
