"""The in-memory event store: the fake for unit tests; passes the same contract suite."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from command_service.event_store.ports import (
    AppendResult,
    AppendStream,
    ConcurrencyError,
    ConsistencyToken,
    DuplicateIdempotencyKeyError,
    Records,
    Snapshot,
    StoredIdempotency,
    records_of,
)
from shared.envelope import EventEnvelope


class InMemoryEventStore:
    def __init__(self) -> None:
        self._events: list[EventEnvelope] = []
        self._streams: dict[str, list[EventEnvelope]] = {}
        self._idempotency: dict[str, StoredIdempotency] = {}
        self._event_ids: set[str] = set()
        self._snapshots: dict[str, dict[int, tuple[Snapshot, datetime | None]]] = {}
        self._counters: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def append(self, streams: Sequence[AppendStream], idempotency: Records = None) -> AppendResult:
        records = records_of(idempotency)
        async with self._lock:
            for stream in streams:
                actual = len(self._streams.get(stream.stream_id, ()))
                if stream.expected_version >= 0 and actual != stream.expected_version:
                    raise ConcurrencyError(stream.stream_id, stream.expected_version, actual)
            for record in records:
                if record.key in self._idempotency:
                    raise DuplicateIdempotencyKeyError(record.key)
            if len({r.key for r in records}) != len(records):
                raise DuplicateIdempotencyKeyError(records[-1].key)
            new_ids = [str(e.event_id) for s in streams for e in s.events]
            if len(set(new_ids)) != len(new_ids) or self._event_ids.intersection(new_ids):
                raise ValueError("duplicate event id")
            now = datetime.now(UTC)
            versions: dict[str, int] = {}
            positions: dict[str, int] = {}
            for stream in sorted(streams, key=lambda s: s.stream_id):
                history = self._streams.setdefault(stream.stream_id, [])
                for event in stream.events:
                    stored = EventEnvelope(
                        event_id=event.event_id,
                        stream_id=stream.stream_id,
                        stream_type=stream.stream_type,
                        version=len(history) + 1,
                        position=len(self._events) + 1,
                        event_type=event.event_type,
                        schema_version=event.schema_version,
                        data=event.data,
                        metadata=event.metadata,
                        recorded_at=now,
                    )
                    history.append(stored)
                    self._events.append(stored)
                    self._event_ids.add(str(event.event_id))
                    versions[stream.stream_id] = stored.version
                    positions[stream.stream_id] = stored.position
            primary = streams[0].stream_id
            for record in records:
                self._idempotency[record.key] = StoredIdempotency(
                    record.request_hash,
                    record.response,
                    ConsistencyToken(primary, versions[primary], positions[primary]),
                )
            return AppendResult(versions=versions, positions=positions)

    async def read_stream(
        self, stream_id: str, from_version: int = 1, *, to_version: int | None = None, as_of: datetime | None = None
    ) -> list[EventEnvelope]:
        return [
            e
            for e in self._streams.get(stream_id, ())[max(from_version, 1) - 1 :]
            if (to_version is None or e.version <= to_version) and (as_of is None or e.recorded_at <= as_of)
        ]

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        kept = self._snapshots.setdefault(snapshot.stream_id, {})
        for version in [v for v, (old, _) in kept.items() if old.schema_version != snapshot.schema_version]:
            del kept[version]  # a new schema version makes the others useless
        events = self._streams.get(snapshot.stream_id, [])
        recorded = events[snapshot.version - 1].recorded_at if 0 < snapshot.version <= len(events) else None
        kept[snapshot.version] = (snapshot, recorded)

    async def latest_snapshot(
        self, stream_id: str, *, max_version: int | None = None, as_of: datetime | None = None
    ) -> Snapshot | None:
        fitting = [
            (version, snapshot)
            for version, (snapshot, recorded) in self._snapshots.get(stream_id, {}).items()
            if (max_version is None or version <= max_version)
            and (as_of is None or (recorded is not None and recorded <= as_of))
        ]
        return max(fitting, key=lambda pair: pair[0])[1] if fitting else None

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        return self._events[after_position : after_position + limit]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, ()))

    async def idempotency(self, key: str) -> StoredIdempotency | None:
        return self._idempotency.get(key)

    async def reserve(self, counter: str, size: int) -> int:
        if size < 1:
            raise ValueError(f"a block of {size} numbers")
        first = self._counters.get(counter, 0)
        self._counters[counter] = first + size
        return first
