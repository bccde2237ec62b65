"""The event store port: what the command side needs, whichever adapter serves it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.envelope import EventEnvelope, NewEvent

ANY = -1
"""Expected version: append whatever the stream's version is."""
NO_STREAM = 0
"""Expected version: the stream must not exist yet."""


@dataclass(frozen=True)
class AppendStream:
    stream_id: str
    stream_type: str
    expected_version: int
    events: Sequence[NewEvent]


@dataclass(frozen=True)
class IdempotencyRecord:
    """Written in the append's transaction; `response` is the answer minus the token."""

    key: str
    request_hash: str
    response: dict[str, Any] = field(default_factory=dict)


Records = IdempotencyRecord | Sequence[IdempotencyRecord] | None
"""What an append records with its first stream's events: none, one or several keys (a
request's Idempotency-Key and a ledger's movement id), all or nothing."""


def records_of(idempotency: Records) -> tuple[IdempotencyRecord, ...]:
    if idempotency is None:
        return ()
    if isinstance(idempotency, IdempotencyRecord):
        return (idempotency,)
    return tuple(idempotency)


@dataclass(frozen=True)
class ConsistencyToken:
    stream_id: str
    version: int
    position: int

    def encode(self) -> str:
        return f"{self.stream_id}:{self.version}:{self.position}"


@dataclass(frozen=True)
class AppendResult:
    versions: dict[str, int]
    """New version of every stream appended to."""
    positions: dict[str, int]
    """Global position of the last event appended to each stream."""

    def token(self, stream_id: str) -> ConsistencyToken:
        return ConsistencyToken(stream_id, self.versions[stream_id], self.positions[stream_id])


@dataclass(frozen=True)
class Snapshot:
    """An aggregate's state at a stream version, in its aggregate type's `schema_version`.
    A snapshot whose schema version is not the current one is ignored, never trusted."""

    stream_id: str
    stream_type: str
    version: int
    schema_version: int
    state: dict[str, Any]


@dataclass(frozen=True)
class StoredIdempotency:
    request_hash: str
    response: dict[str, Any]
    token: ConsistencyToken


class ConcurrencyError(Exception):
    """The stream is not at the expected version: someone else wrote first."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateIdempotencyKeyError(Exception):
    """Another transaction recorded this idempotency key (one of the append's) first; nothing
    was appended."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} already used")
        self.key = key


class EventStore(Protocol):
    async def append(self, streams: Sequence[AppendStream], idempotency: Records = None) -> AppendResult:
        """Append to every stream, each at its expected version, and record the idempotency
        keys, all or nothing."""
        ...

    async def read_stream(
        self, stream_id: str, from_version: int = 1, *, to_version: int | None = None, as_of: datetime | None = None
    ) -> list[EventEnvelope]:
        """The stream forwards from `from_version`; up to `to_version` and/or recorded at or before `as_of`."""
        ...

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        """The global feed in position order, for rebuilds and audits."""
        ...

    async def stream_version(self, stream_id: str) -> int:
        """0 when the stream does not exist."""
        ...

    async def idempotency(self, key: str) -> StoredIdempotency | None: ...

    async def reserve(self, counter: str, size: int) -> int:
        """The first of `size` numbers of the named counter that no other call ever got, durably
        (a block, as hi/lo allocators take one: the caller hands them out and loses the rest if it
        stops). A counter starts at 0; its blocks follow one another."""
        ...

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep it with the stream's others (one per version; a new schema version drops the
        others), with the recorded time of the event at its version."""
        ...

    async def latest_snapshot(
        self, stream_id: str, *, max_version: int | None = None, as_of: datetime | None = None
    ) -> Snapshot | None:
        """The stream's snapshot at the highest version at or below `max_version` whose event was
        recorded at or before `as_of` (either bound optional)."""
        ...
