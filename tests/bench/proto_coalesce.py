"""Prototype (not the product): group commit in the event store adapter.

Concurrent `append` calls of one process are coalesced into one round trip and one
transaction (one commit, one WAL flush) by `bahi_append_batch`, a set-based variant of
`bahi_append`; the relay is woken after the commit (tests/bench/proto_notify.py), not
by a NOTIFY inside the transaction. Each command keeps its own outcome: its events are written only
if every one of its streams is at the expected version and its idempotency key is new;
otherwise it gets ConcurrencyError / DuplicateIdempotencyKeyError and writes nothing,
while the other commands of the batch commit. A batch never holds two commands on the
same stream or with the same idempotency key (the later one waits for the next batch),
so per-command checks are independent and set-based. Locks: the batch's streams in
code-point order (the order `PostgresEventStore.append` uses), then its keys (in the
two-int advisory-lock space), so twins serialise and no lock order can cross.

What it would take in the product: this function in schema.sql, and `append` enqueuing
instead of calling `bahi_append` directly (same signature, same results and errors).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import asyncpg

from command_service.event_store.ports import (
    AppendResult,
    AppendStream,
    ConcurrencyError,
    DuplicateIdempotencyKeyError,
    IdempotencyRecord,
)
from tests.bench.proto_notify import AfterCommitNotifier

BATCH_SQL = """
CREATE OR REPLACE FUNCTION bahi_append_batch(
    c_idem_key text[], c_idem_hash text[], c_idem_response jsonb[], c_idem_stream text[],
    s_cmd int[], s_ids text[], s_types text[], s_expected bigint[], s_count int[],
    e_stream int[], e_ids uuid[], e_types text[], e_schema int[], e_data jsonb[], e_meta jsonb[]
) RETURNS TABLE (cmd int, stream_id text, version bigint, last_position bigint, status text, detail text)
LANGUAGE plpgsql AS $$
DECLARE
    n_cmds int := cardinality(c_idem_key);
    cur bigint[];
    ok boolean[];
    why text[] := array_fill(NULL::text, ARRAY[cardinality(c_idem_key)]);
    j int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(x.id, 0))
    FROM (SELECT DISTINCT u.id COLLATE "C" AS id FROM unnest(s_ids) AS u(id) ORDER BY 1) AS x;
    PERFORM pg_advisory_xact_lock(7140003, hashtext(x.k))
    FROM (SELECT DISTINCT u.k COLLATE "C" AS k FROM unnest(c_idem_key) AS u(k) WHERE u.k IS NOT NULL ORDER BY 1) AS x;

    SELECT array_agg(coalesce(s.version, 0) ORDER BY u.i) INTO cur
    FROM unnest(s_ids) WITH ORDINALITY AS u(id, i) LEFT JOIN bahi_streams s ON s.stream_id = u.id;
    SELECT array_agg(k.key IS NULL ORDER BY u.c) INTO ok
    FROM unnest(c_idem_key) WITH ORDINALITY AS u(key, c) LEFT JOIN bahi_idempotency k ON k.key = u.key;
    FOR j IN 1..n_cmds LOOP
        IF NOT ok[j] THEN why[j] := 'duplicate'; END IF;
    END LOOP;
    FOR j IN 1..cardinality(s_ids) LOOP
        IF ok[s_cmd[j]] AND s_expected[j] >= 0 AND cur[j] <> s_expected[j] THEN
            ok[s_cmd[j]] := false;
            why[s_cmd[j]] := json_build_object(
                'stream_id', s_ids[j], 'expected', s_expected[j], 'actual', cur[j])::text;
        END IF;
    END LOOP;

    INSERT INTO bahi_streams AS s (stream_id, stream_type, version)
    SELECT s_ids[i], s_types[i], cur[i] + s_count[i] FROM generate_subscripts(s_ids, 1) AS i WHERE ok[s_cmd[i]]
    ON CONFLICT ON CONSTRAINT bahi_streams_pkey DO UPDATE SET version = excluded.version;

    RETURN QUERY
    WITH ins AS (
        INSERT INTO bahi_events AS e
            (event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata)
        SELECT u.id, s_ids[u.sx], s_types[u.sx],
               cur[u.sx] + row_number() OVER (PARTITION BY u.sx ORDER BY u.ord),
               u.typ, u.sch, u.dat, u.met
        FROM unnest(e_stream, e_ids, e_types, e_schema, e_data, e_meta) WITH ORDINALITY
             AS u(sx, id, typ, sch, dat, met, ord)
        WHERE ok[s_cmd[u.sx]]
        ORDER BY u.ord
        RETURNING e.stream_id, e.version, e.position
    ), per_stream AS (
        SELECT ins.stream_id, max(ins.version) AS version, max(ins.position) AS last_position
        FROM ins GROUP BY ins.stream_id
    ), idem AS (
        INSERT INTO bahi_idempotency (key, request_hash, response, stream_id, version, position)
        SELECT c_idem_key[c], c_idem_hash[c], c_idem_response[c], p.stream_id, p.version, p.last_position
        FROM generate_subscripts(c_idem_key, 1) AS c JOIN per_stream p ON p.stream_id = c_idem_stream[c]
        WHERE ok[c] AND c_idem_key[c] IS NOT NULL
    )
    SELECT s_cmd[i], p.stream_id, p.version, p.last_position, 'ok', NULL::text
    FROM generate_subscripts(s_ids, 1) AS i JOIN per_stream p ON p.stream_id = s_ids[i]
    UNION ALL
    SELECT c, NULL, NULL, NULL, 'rejected', why[c] FROM generate_subscripts(c_idem_key, 1) AS c WHERE NOT ok[c];
END;
$$;
"""

_CALL = "SELECT * FROM bahi_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"

_Pending = tuple[Sequence[AppendStream], IdempotencyRecord | None, "asyncio.Future[AppendResult]"]


class CoalescingEventStore:
    """`append` with PostgresEventStore's contract; concurrent calls share a transaction."""

    def __init__(
        self, pool: asyncpg.Pool, notifier: AfterCommitNotifier, *, max_batch: int = 64, max_in_flight: int = 4
    ) -> None:
        self._pool = pool
        self._notifier = notifier
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._pending: list[_Pending] = []
        self.batches = 0
        self.commands = 0

    async def append(
        self, streams: Sequence[AppendStream], idempotency: IdempotencyRecord | None = None
    ) -> AppendResult:
        future: asyncio.Future[AppendResult] = asyncio.get_running_loop().create_future()
        self._pending.append((streams, idempotency, future))
        if self._in_flight < self._max_in_flight:
            self._in_flight += 1
            asyncio.create_task(self._flush())  # noqa: RUF006 - it resolves the futures it takes
        return await future

    def _take(self) -> list[_Pending]:
        """Up to max_batch pending commands, no two on one stream or one key; the rest keep their order."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        streams: set[str] = set()
        keys: set[str] = set()
        for item in self._pending:
            ids = {s.stream_id for s in item[0]}
            key = item[1].key if item[1] else None
            if len(batch) < self._max_batch and not ids & streams and (key is None or key not in keys):
                batch.append(item)
                streams |= ids
                if key is not None:
                    keys.add(key)
            else:
                rest.append(item)
        self._pending = rest
        return batch

    async def _flush(self) -> None:
        try:
            while batch := self._take():
                try:
                    rows = await self._pool.fetch(_CALL, *_arguments(batch))
                except Exception as exc:  # the whole batch failed: each caller sees the error
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                self.commands += len(batch)
                self._notifier.poke()
                _resolve(batch, rows)
        finally:
            self._in_flight -= 1


def _arguments(batch: list[_Pending]) -> list[Any]:
    c_key, c_hash, c_resp, c_stream = [], [], [], []
    s_cmd, s_ids, s_types, s_expected, s_count = [], [], [], [], []
    e_stream, e_ids, e_types, e_schema, e_data, e_meta = [], [], [], [], [], []
    for c, (streams, idem, _) in enumerate(batch, start=1):
        c_key.append(idem.key if idem else None)
        c_hash.append(idem.request_hash if idem else None)
        c_resp.append(idem.response if idem else None)
        c_stream.append(streams[0].stream_id if idem else None)
        for stream in sorted(streams, key=lambda s: s.stream_id):
            s_cmd.append(c)
            s_ids.append(stream.stream_id)
            s_types.append(stream.stream_type)
            s_expected.append(stream.expected_version)
            s_count.append(len(stream.events))
            index = len(s_ids)
            for event in stream.events:
                e_stream.append(index)
                e_ids.append(event.event_id)
                e_types.append(event.event_type)
                e_schema.append(event.schema_version)
                e_data.append(event.data)
                e_meta.append(event.metadata.model_dump(exclude_none=True))
    per_command = [c_key, c_hash, c_resp, c_stream]
    per_stream = [s_cmd, s_ids, s_types, s_expected, s_count]
    per_event = [e_stream, e_ids, e_types, e_schema, e_data, e_meta]
    return per_command + per_stream + per_event


def _resolve(batch: list[_Pending], rows: list[asyncpg.Record]) -> None:
    versions: dict[int, dict[str, int]] = {}
    positions: dict[int, dict[str, int]] = {}
    rejected: dict[int, str] = {}
    for row in rows:
        if row["status"] == "ok":
            versions.setdefault(row["cmd"], {})[row["stream_id"]] = row["version"]
            positions.setdefault(row["cmd"], {})[row["stream_id"]] = row["last_position"]
        else:
            rejected[row["cmd"]] = row["detail"]
    for c, (_, idem, future) in enumerate(batch, start=1):
        if future.done():
            continue
        if c in rejected:
            if rejected[c] == "duplicate":
                assert idem is not None
                future.set_exception(DuplicateIdempotencyKeyError(idem.key))
            else:
                detail = json.loads(rejected[c])
                future.set_exception(ConcurrencyError(detail["stream_id"], detail["expected"], detail["actual"]))
        else:
            future.set_result(AppendResult(versions=versions[c], positions=positions[c]))
