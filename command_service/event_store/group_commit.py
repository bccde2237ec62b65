"""Group commit: concurrent `append` calls of one process share one transaction.

With a transaction per append, appends are bounded by commits: each waits for its own
WAL flush. Here appends arriving while a batch is in flight queue up and go
together through `bahi_append_batch`: one round trip, one commit, one flush. Each
command keeps its own outcome (its ConcurrencyError or DuplicateIdempotencyKeyError,
its events all or nothing). A batch never holds two commands on one stream or with
one idempotency key (the later one waits for the next batch). A batch holds about
`max_batch_events` events: PostgreSQL runs one batch on one core, so what does not fit
goes at once in a batch of its own on another connection, and several batches use
several cores instead of queueing behind one. If a whole batch fails (say a duplicate
event id in one command), its commands are retried one by one, so one bad command
cannot fail its neighbours; if PostgreSQL is unreachable (`pool.UNREACHABLE`), each command
of the batch fails with that error at once. Whatever happens, no caller is left waiting: a
caller left waiting holds its streams' locks, and every later command on them queues behind it.

What it buys: concurrent commands share commits (and so WAL flushes) instead of paying
one each. `python -m tests.bench.bench_append` re-measures it: group-committed appends
against one transaction per command and raw single INSERTs, in the same run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from command_service.event_store.pool import UNREACHABLE
from command_service.event_store.ports import (
    AppendResult,
    AppendStream,
    ConcurrencyError,
    DuplicateIdempotencyKeyError,
    IdempotencyRecord,
)
from command_service.event_store.rows import MetadataJson

log = logging.getLogger(__name__)

_CALL = "SELECT * FROM bahi_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"

Single = Callable[[Sequence[AppendStream], Sequence[IdempotencyRecord]], Awaitable[AppendResult]]
_Pending = tuple[Sequence[AppendStream], Sequence[IdempotencyRecord], "asyncio.Future[AppendResult]"]


class GroupCommitter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        single: Single,
        *,
        max_batch: int = 64,
        max_batch_events: int = 80,
        max_in_flight: int = 4,
    ) -> None:
        self._pool = pool
        self._single = single
        self._max_batch = max_batch
        self._max_batch_events = max_batch_events
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._pending: list[_Pending] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def append(self, streams: Sequence[AppendStream], idempotency: Sequence[IdempotencyRecord]) -> AppendResult:
        future: asyncio.Future[AppendResult] = asyncio.get_running_loop().create_future()
        self._pending.append((streams, idempotency, future))
        self._start_flusher()
        return await future

    def _start_flusher(self) -> None:
        if self._in_flight < self._max_in_flight:
            self._in_flight += 1
            task = asyncio.create_task(self._flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _take(self) -> list[_Pending]:
        """Up to max_batch pending commands and about max_batch_events events (at least one
        command), no two on one stream or one key; the rest keep their order."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        streams: set[str] = set()
        keys: set[str] = set()
        events = 0
        for item in self._pending:
            ids = {s.stream_id for s in item[0]}
            own = {r.key for r in item[1]}
            size = sum(len(s.events) for s in item[0])
            if (
                len(batch) < self._max_batch
                and (not batch or events + size <= self._max_batch_events)
                and not ids & streams
                and not own & keys
            ):
                batch.append(item)
                streams |= ids
                events += size
                keys |= own
            else:
                rest.append(item)
        self._pending = rest
        return batch

    async def _flush(self) -> None:
        batch: list[_Pending] = []
        try:
            while batch := self._take():
                if self._pending:
                    # What did not fit goes in a batch of its own now, on another connection:
                    # PostgreSQL runs a batch on one core; two batches of big commands use two.
                    self._start_flusher()
                if len(batch) == 1:
                    await self._one_by_one(batch)
                    continue
                try:
                    rows = await self._pool.fetch(_CALL, *_arguments(batch))
                except UNREACHABLE as exc:
                    # PostgreSQL is gone (or left the connection half-way): each caller answers
                    # it (a 503 with Retry-After) and its client retries; nobody waits on it.
                    _fail(batch, exc)
                    continue
                except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.info("a batch of %d appends failed (%s); retrying them one by one", len(batch), exc)
                    await self._one_by_one(batch)
                    continue
                _resolve(batch, rows)
        except BaseException as exc:  # never leave a caller waiting: the batch in hand, and the queue
            _fail([*batch, *self._pending], exc)
            self._pending = []
            raise
        finally:
            self._in_flight -= 1

    async def _one_by_one(self, batch: list[_Pending]) -> None:
        for streams, idempotency, future in batch:
            try:
                result = await self._single(streams, idempotency)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


def _fail(batch: list[_Pending], exc: BaseException) -> None:
    for _, _, future in batch:
        if not future.done():
            future.set_exception(exc)


def _arguments(batch: list[_Pending]) -> list[Any]:
    c_stream: list[str] = []
    k_cmd, k_key, k_hash, k_resp = [], [], [], []
    s_cmd, s_ids, s_types, s_expected, s_count = [], [], [], [], []
    e_stream, e_ids, e_types, e_schema, e_data, e_meta = [], [], [], [], [], []
    metadata_json = MetadataJson()
    for c, (streams, records, _) in enumerate(batch, start=1):
        c_stream.append(streams[0].stream_id)
        for record in records:
            k_cmd.append(c)
            k_key.append(record.key)
            k_hash.append(record.request_hash)
            k_resp.append(record.response)
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
                e_meta.append(metadata_json(event.metadata))
    return [
        c_stream,
        k_cmd,
        k_key,
        k_hash,
        k_resp,
        s_cmd,
        s_ids,
        s_types,
        s_expected,
        s_count,
        e_stream,
        e_ids,
        e_types,
        e_schema,
        e_data,
        e_meta,
    ]


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
    for c, (_, _, future) in enumerate(batch, start=1):
        if future.done():
            continue
        if c in rejected:
            if rejected[c].startswith("duplicate:"):
                future.set_exception(DuplicateIdempotencyKeyError(rejected[c].removeprefix("duplicate:")))
            else:
                detail = json.loads(rejected[c])
                future.set_exception(ConcurrencyError(detail["stream_id"], detail["expected"], detail["actual"]))
        else:
            future.set_result(AppendResult(versions=versions[c], positions=positions[c]))
