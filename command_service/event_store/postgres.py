"""The PostgreSQL event store (asyncpg): one round trip per append via `bahi_append`. The pool
and the schema are `pool`'s (re-exported here, where callers have always found them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import asyncpg
from opentelemetry.trace import SpanKind, Tracer

from command_service.event_store.group_commit import GroupCommitter
from command_service.event_store.notify import AfterCommitNotifier
from command_service.event_store.pool import create_schema as create_schema
from command_service.event_store.pool import init_connection as init_connection
from command_service.event_store.pool import open_pool as open_pool
from command_service.event_store.pool import schema_sql as schema_sql
from command_service.event_store.ports import (
    AppendResult,
    AppendStream,
    ConcurrencyError,
    ConsistencyToken,
    DuplicateIdempotencyKeyError,
    IdempotencyRecord,
    Records,
    Snapshot,
    StoredIdempotency,
    records_of,
)
from command_service.event_store.rows import MetadataJson, envelopes
from command_service.event_store.rows import envelope as envelope
from shared import tracing
from shared.envelope import EventEnvelope
from shared.tuning import collector_paused

EVENT_COLUMNS = (
    "event_id, stream_id, stream_type, version, position, event_type, schema_version, data, metadata, recorded_at"
)
_RESERVE = (
    "INSERT INTO bahi_counters AS c (name, next) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET next = c.next + excluded.next RETURNING c.next - $2"
)
_APPEND = (
    "SELECT stream_id, version, last_position FROM bahi_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
)


class PostgresEventStore:
    """Over a pool (the service) or over one connection inside a caller's transaction (tests
    that hold commits open); only over a pool does it wake the relay after each append."""

    def __init__(self, pool: asyncpg.Pool | asyncpg.Connection, *, group_commit: bool = True) -> None:
        self._pool = pool
        self._notifier = AfterCommitNotifier(pool) if isinstance(pool, asyncpg.Pool) else None
        self._group = (
            GroupCommitter(pool, self._append_one) if group_commit and isinstance(pool, asyncpg.Pool) else None
        )

    async def append(self, streams: Sequence[AppendStream], idempotency: Records = None) -> AppendResult:
        tracer = tracing.active_tracer()
        if tracer is None:
            return await self._append(streams, idempotency)
        return await self._traced_append(tracer, streams, idempotency)

    async def _append(self, streams: Sequence[AppendStream], idempotency: Records) -> AppendResult:
        records = records_of(idempotency)
        if self._group is None:
            result = await self._append_one(streams, records)
        else:
            result = await self._group.append(streams, records)
        if self._notifier is not None:
            self._notifier.poke()
        return result

    async def _traced_append(
        self, tracer: Tracer, streams: Sequence[AppendStream], idempotency: Records
    ) -> AppendResult:
        """The append in a span of its own (a child of the command's), waiting for a group commit included."""
        attributes: dict[str, str | int] = {
            "db.system.name": "postgresql",
            "db.operation.name": "bahi_append",
            "bahi.stream_id": streams[0].stream_id if streams else "",
            "bahi.streams": len(streams),
            "bahi.events": sum(len(s.events) for s in streams),
        }
        with tracer.start_as_current_span("event_store.append", kind=SpanKind.CLIENT, attributes=attributes) as span:
            result = await self._append(streams, idempotency)
            span.set_attribute("bahi.last_position", max(result.positions.values(), default=0))
            return result

    async def _append_one(self, streams: Sequence[AppendStream], records: Sequence[IdempotencyRecord]) -> AppendResult:
        # A fixed lock order across writers: no deadlock between multi-stream appends.
        ordered = sorted(streams, key=lambda s: s.stream_id)
        e_stream, e_ids, e_types, e_schema, e_data, e_meta = [], [], [], [], [], []
        metadata_json = MetadataJson()
        for index, stream in enumerate(ordered, start=1):
            for event in stream.events:
                e_stream.append(index)
                e_ids.append(event.event_id)
                e_types.append(event.event_type)
                e_schema.append(event.schema_version)
                e_data.append(event.data)
                e_meta.append(metadata_json(event.metadata))
        try:
            rows = await self._pool.fetch(
                _APPEND,
                [s.stream_id for s in ordered],
                [s.stream_type for s in ordered],
                [s.expected_version for s in ordered],
                e_stream,
                e_ids,
                e_types,
                e_schema,
                e_data,
                e_meta,
                [r.key for r in records],
                [r.request_hash for r in records],
                [r.response for r in records],
                streams[0].stream_id,
            )
        except asyncpg.PostgresError as exc:
            raise _translate(exc, records) from exc
        return AppendResult(
            versions={row["stream_id"]: row["version"] for row in rows},
            positions={row["stream_id"]: row["last_position"] for row in rows},
        )

    async def read_stream(
        self, stream_id: str, from_version: int = 1, *, to_version: int | None = None, as_of: datetime | None = None
    ) -> list[EventEnvelope]:
        rows = await self._pool.fetch(
            f"""SELECT {EVENT_COLUMNS} FROM bahi_events
                WHERE stream_id = $1 AND version >= $2
                  AND ($3::bigint IS NULL OR version <= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4)
                ORDER BY version""",
            stream_id,
            from_version,
            to_version,
            as_of,
        )
        return envelopes(rows)

    async def save_snapshot(self, snapshot: Snapshot) -> None:
        # A new schema version makes the stream's other snapshots useless: they go (the one at this
        # version, if any, is replaced by the upsert instead: one statement may not touch a row twice).
        await self._pool.execute(
            """WITH stale AS (
                   DELETE FROM bahi_snapshots WHERE stream_id = $1 AND schema_version <> $4 AND version <> $3
               )
               INSERT INTO bahi_snapshots (stream_id, stream_type, version, schema_version, state, recorded_at)
               VALUES ($1, $2, $3, $4, $5, (SELECT recorded_at FROM bahi_events WHERE stream_id = $1 AND version = $3))
               ON CONFLICT (stream_id, version) DO UPDATE
               SET schema_version = excluded.schema_version, state = excluded.state, created_at = now(),
                   recorded_at = excluded.recorded_at""",
            snapshot.stream_id,
            snapshot.stream_type,
            snapshot.version,
            snapshot.schema_version,
            snapshot.state,
        )

    async def latest_snapshot(
        self, stream_id: str, *, max_version: int | None = None, as_of: datetime | None = None
    ) -> Snapshot | None:
        row = await self._pool.fetchrow(
            """SELECT stream_id, stream_type, version, schema_version, state FROM bahi_snapshots
               WHERE stream_id = $1 AND ($2::bigint IS NULL OR version <= $2)
                 AND ($3::timestamptz IS NULL OR recorded_at <= $3)
               ORDER BY version DESC LIMIT 1""",
            stream_id,
            max_version,
            as_of,
        )
        return Snapshot(**dict(row)) if row else None

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[EventEnvelope]:
        with collector_paused():
            rows = await self._pool.fetch(
                f"SELECT {EVENT_COLUMNS} FROM bahi_events WHERE position > $1 ORDER BY position LIMIT $2",
                after_position,
                limit,
            )
            return envelopes(rows)

    async def stream_version(self, stream_id: str) -> int:
        version = await self._pool.fetchval("SELECT version FROM bahi_streams WHERE stream_id = $1", stream_id)
        return int(version or 0)

    async def reserve(self, counter: str, size: int) -> int:
        if size < 1:
            raise ValueError(f"a block of {size} numbers")
        first: int = await self._pool.fetchval(_RESERVE, counter, size)
        return first

    async def idempotency(self, key: str) -> StoredIdempotency | None:
        row = await self._pool.fetchrow(
            "SELECT request_hash, response, stream_id, version, position FROM bahi_idempotency WHERE key = $1", key
        )
        if row is None:
            return None
        return StoredIdempotency(
            request_hash=row["request_hash"],
            response=row["response"],
            token=ConsistencyToken(row["stream_id"], row["version"], row["position"]),
        )


def _translate(exc: asyncpg.PostgresError, records: Sequence[IdempotencyRecord]) -> Exception:
    if exc.sqlstate == "BH409":
        detail = json.loads(exc.detail or "{}")
        return ConcurrencyError(detail["stream_id"], detail["expected"], detail["actual"])
    if isinstance(exc, asyncpg.UniqueViolationError) and records and exc.table_name == "bahi_idempotency":
        # "Key (key)=(<the key>) already exists."
        taken = next((r.key for r in records if f"=({r.key})" in (exc.detail or "")), records[0].key)
        return DuplicateIdempotencyKeyError(taken)
    return exc
