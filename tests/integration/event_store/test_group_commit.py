"""Group commit on the real PostgreSQL: commands sharing a transaction keep their own outcomes,
and the relay still publishes every stream gap-free and in order."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest

from command_service.event_store import (
    ANY,
    NO_STREAM,
    AppendStream,
    ConcurrencyError,
    DuplicateIdempotencyKeyError,
    IdempotencyRecord,
)
from command_service.event_store.postgres import PostgresEventStore, create_schema, init_connection, open_pool
from command_service.relay.audit import audit
from shared.envelope import EventMetadata, NewEvent
from shared.streams import topic_for
from tests.support import processes
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.kafka import consume_until, header
from tests.support.relay import caught_up

pytestmark = [pytest.mark.integration]


def event(n: int = 0) -> NewEvent:
    return NewEvent(
        event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data={"n": n}, metadata=EventMetadata()
    )


@pytest.fixture
async def own(run_id: str) -> AsyncIterator[tuple[Infra, asyncpg.Pool]]:
    async with fresh_infra(f"{run_id}_gc{uuid4().hex[:4]}") as infra:
        pool = await open_pool(infra.pg_dsn, min_size=4, max_size=8)
        await create_schema(pool)
        yield infra, pool
        await pool.close()


async def test_commands_in_one_batch_keep_their_own_outcomes(own: tuple[Infra, asyncpg.Pool]) -> None:
    _infra, pool = own
    store = PostgresEventStore(pool)
    taken, used_key = unique("taken-"), unique("key-")
    await store.append([AppendStream(taken, "order", NO_STREAM, [event()])], IdempotencyRecord(used_key, "h"))
    good = [unique("ok-") for _ in range(20)]
    calls = [store.append([AppendStream(sid, "order", NO_STREAM, [event(), event()])]) for sid in good]
    calls.append(store.append([AppendStream(taken, "order", NO_STREAM, [event()])]))  # wrong version
    calls.append(
        store.append([AppendStream(unique("k-"), "order", NO_STREAM, [event()])], IdempotencyRecord(used_key, "h"))
    )  # key already used
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [r.versions for r in results[:20]] == [{sid: 2} for sid in good]  # type: ignore[union-attr]
    assert isinstance(results[20], ConcurrencyError) and results[20].actual == 1
    assert isinstance(results[21], DuplicateIdempotencyKeyError)
    for sid in good:
        assert [e.version for e in await store.read_stream(sid)] == [1, 2]
    assert [e.version for e in await store.read_stream(taken)] == [1]
    transactions = await pool.fetchval("SELECT count(DISTINCT tx_id) FROM bahi_events WHERE stream_id = ANY($1)", good)
    assert transactions < len(good)  # they did share transactions


async def test_a_command_that_fails_its_batch_does_not_fail_its_neighbours(own: tuple[Infra, asyncpg.Pool]) -> None:
    _infra, pool = own
    store = PostgresEventStore(pool)
    twin = event()
    good = [unique("ok-") for _ in range(10)]
    calls = [store.append([AppendStream(sid, "order", NO_STREAM, [event()])]) for sid in good]
    calls.append(store.append([AppendStream(unique("dup-"), "order", NO_STREAM, [twin, twin])]))  # one bad command
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [r.versions for r in results[:10]] == [{sid: 1} for sid in good]  # type: ignore[union-attr]
    assert isinstance(results[10], asyncpg.UniqueViolationError)


async def test_concurrent_writers_through_group_commit_reach_kafka_in_order(
    own: tuple[Infra, asyncpg.Pool],
) -> None:
    infra, pool = own
    store = PostgresEventStore(pool)
    streams = [unique("ord-") for _ in range(40)]

    async def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(100):
            await store.append([AppendStream(rng.choice(streams), "order", ANY, [event(i) for i in range(2)])])

    relay = processes.relay(infra).start().wait_ready()
    try:
        await asyncio.gather(*(writer(i) for i in range(32)))
        await caught_up(infra)
    finally:
        relay.stop()
    report = await audit(infra.pg_dsn, infra.kafka, infra.topic_prefix, "main")
    assert report.stored == 6_400 and (report.holes, report.duplicates, report.strays) == ([], {}, [])
    records = await consume_until(infra.kafka, [topic_for("order", infra.topic_prefix)], lambda rs: len(rs) >= 6_400)
    versions: dict[str, list[int]] = defaultdict(list)
    for record in records:
        versions[record.key.decode()].append(int(header(record, "ce_streamversion") or 0))
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())


async def test_batches_probe_streams_and_keys_by_index_as_the_tables_grow(run_id: str) -> None:
    """The version and key checks of `bahi_append_batch` are primary-key probes, whatever the
    tables' size when the session planned them: a join planned on a fresh store became a
    sequential scan of bahi_streams and bahi_idempotency per batch, slower with every row."""
    async with fresh_infra(f"{run_id}_gcscan{uuid4().hex[:4]}") as infra:
        # One connection: every batch runs in the session that planned it on the empty tables.
        pool = await asyncpg.create_pool(infra.pg_dsn, min_size=1, max_size=1, init=init_connection)
        try:
            await create_schema(pool)  # its index builds count as sequential scans: the baseline
            before = await _scans(pool)
            store = PostgresEventStore(pool)
            for round_ in range(30):
                sids = [unique(f"scan{round_}-") for _ in range(16)]
                await asyncio.gather(
                    *(
                        store.append([AppendStream(s, "order", NO_STREAM, [event()])], IdempotencyRecord(f"k-{s}", "h"))
                        for s in sids
                    )
                )
            after = await _scans(pool)
        finally:
            await pool.close()
    assert set(after) == {"bahi_streams", "bahi_idempotency"}
    for table, (seq, idx) in after.items():
        assert seq == before[table][0], f"{table}: {seq - before[table][0]} sequential scans by the batch append"
        assert idx - before[table][1] >= 30, (table, before[table], after[table])  # every batch probed by index


async def _scans(pool: asyncpg.Pool) -> dict[str, tuple[int, int]]:
    """(sequential, index) scans per table, this session's counts included."""
    await pool.execute("SELECT pg_stat_force_next_flush()")  # flushed as the session goes idle
    rows = await pool.fetch(
        """SELECT relname, seq_scan, coalesce(idx_scan, 0) AS idx_scan FROM pg_stat_user_tables
           WHERE relname IN ('bahi_streams', 'bahi_idempotency')"""
    )
    return {row["relname"]: (row["seq_scan"], row["idx_scan"]) for row in rows}
