"""The relay's promises, provoked: concurrent out-of-order commits, kill -9, failover.

Each test gets its own database and topics, a relay running as its own OS process,
and ends with the publication audit comparing the store with the topics.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import httpx
import pytest

from command_service.event_store import ANY, AppendStream
from command_service.event_store.postgres import PostgresEventStore, create_schema, init_connection
from command_service.relay.audit import audit
from shared.envelope import EventMetadata, NewEvent
from shared.streams import topic_for
from tests.support import processes
from tests.support.infra import ROOT, Infra, fresh_infra, unique
from tests.support.kafka import consume_until, header
from tests.support.relay import caught_up

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def own(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{uuid4().hex[:6]}") as infra:
        pool = await asyncpg.create_pool(infra.pg_dsn, min_size=1, max_size=2, init=init_connection)
        await create_schema(pool)
        await pool.close()
        yield infra


def event(n: int) -> NewEvent:
    return NewEvent(
        event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data={"n": n}, metadata=EventMetadata()
    )


async def torture(infra: Infra, *, writers: int, transactions: int, per_txn: int, streams: int) -> int:
    """Concurrent writers, each committing after a random delay: commits land out of position order."""
    stream_ids = [unique("ord-") for _ in range(streams)]

    async def writer(seed: int) -> None:
        rng = random.Random(seed)
        conn = await asyncpg.connect(infra.pg_dsn)
        await init_connection(conn)
        store = PostgresEventStore(conn)
        try:
            for _ in range(transactions):
                async with conn.transaction():
                    await store.append(
                        [AppendStream(rng.choice(stream_ids), "order", ANY, [event(i) for i in range(per_txn)])]
                    )
                    await asyncio.sleep(rng.uniform(0, 0.004))  # hold the transaction open: provoke reordering
        finally:
            await conn.close()

    await asyncio.gather(*(writer(i) for i in range(writers)))
    return writers * transactions * per_txn


async def checkpoint_position(infra: Infra) -> int:
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM bahi_relay_checkpoint") or 0)
    finally:
        await conn.close()


async def max_position(infra: Infra) -> int:
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM bahi_events"))
    finally:
        await conn.close()


async def reordered_commits(infra: Infra) -> int:
    """How many events sit before a smaller position in transaction order: commits out of position order."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        return int(
            await conn.fetchval(
                """SELECT count(*) FROM (SELECT position, lag(position) OVER (ORDER BY tx_id, position) AS prev
                                     FROM bahi_events) t WHERE position < prev"""
            )
        )
    finally:
        await conn.close()


async def test_torture_32_writers_20000_events_no_hole_no_duplicate(own: Infra) -> None:
    relay = processes.relay(own).start().wait_ready()
    try:
        total = await torture(own, writers=32, transactions=125, per_txn=5, streams=200)
        await caught_up(own)
        assert await reordered_commits(own) > 0  # the hazard was provoked
    finally:
        relay.stop()
    report = await audit(own.pg_dsn, own.kafka, own.topic_prefix, "main")
    assert report.stored == total == 20_000
    assert (report.holes, report.duplicates, report.strays, report.pending) == ([], {}, [], 0)
    assert report.published_records == total

    # Within each stream the topic carries versions 1, 2, 3, ... in order.
    records = await consume_until(own.kafka, [topic_for("order", own.topic_prefix)], lambda rs: len(rs) >= total)
    versions: dict[str, list[int]] = defaultdict(list)
    for record in records:
        versions[record.key.decode()].append(int(header(record, "ce_streamversion") or 0))
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())


async def test_relay_killed_mid_batch_loses_nothing(own: Infra) -> None:
    relay = processes.relay(own).start().wait_ready()
    writing = asyncio.create_task(torture(own, writers=8, transactions=250, per_txn=10, streams=50))
    try:
        deadline = time.monotonic() + 60
        while await checkpoint_position(own) == 0:  # publishing has begun
            assert time.monotonic() < deadline, relay.tail()
            await asyncio.sleep(0.02)
        relay.kill()  # SIGKILL, while the writers keep committing
        at_kill = await checkpoint_position(own)
        total = await writing
        assert at_kill < await max_position(own)  # it died with work left
        relay = processes.relay(own).start().wait_ready()
        await caught_up(own)
    finally:
        relay.stop()
    report = await audit(own.pg_dsn, own.kafka, own.topic_prefix, "main")
    assert report.stored == total
    assert (report.holes, report.strays, report.pending) == ([], [], 0)
    # Re-sent after the kill at most once each: consumers dedupe by stream id + version.
    assert all(count == 2 for count in report.duplicates.values())


async def test_a_relay_stopped_with_sigterm_mid_stream_resends_nothing(own: Infra) -> None:
    """A graceful stop (SIGTERM, as `make run`'s Ctrl-C sends) checkpoints every batch the broker
    acknowledged before the process exits: the next relay resumes exactly after it."""
    relay = processes.relay(own).start().wait_ready()
    writing = asyncio.create_task(torture(own, writers=8, transactions=250, per_txn=10, streams=50))
    try:
        deadline = time.monotonic() + 60
        while await checkpoint_position(own) == 0:  # publishing has begun
            assert time.monotonic() < deadline, relay.tail()
            await asyncio.sleep(0.02)
        relay.stop()  # SIGTERM, while the writers keep committing and batches are in flight
        assert "relay main stopped after" in relay.tail(5), relay.tail()
        at_stop = await checkpoint_position(own)
        total = await writing
        assert at_stop < await max_position(own)  # it stopped with work left
        relay = processes.relay(own).start().wait_ready()
        await caught_up(own)
    finally:
        relay.stop()
    report = await audit(own.pg_dsn, own.kafka, own.topic_prefix, "main")
    assert report.stored == total
    assert (report.holes, report.duplicates, report.strays, report.pending) == ([], {}, [], 0)


async def test_relay_killed_while_reading_ahead_loses_nothing(own: Infra) -> None:
    # A backlog in batches of 50: every batch but the last is full, so the relay always has
    # the next read running on PostgreSQL while it publishes. Killed in the middle of that.
    # Transactions of 8 events: batches end inside transactions as well as between them.
    total = await torture(own, writers=8, transactions=625, per_txn=8, streams=100)
    small_batches = {"BAHI_RELAY_BATCH_SIZE": "50"}
    relay = processes.relay(own, **small_batches).start().wait_ready()
    try:
        deadline = time.monotonic() + 60
        while await checkpoint_position(own) == 0:
            assert time.monotonic() < deadline, relay.tail()
            await asyncio.sleep(0.02)
        relay.kill()  # SIGKILL
        assert 0 < await checkpoint_position(own) < await max_position(own)  # it died with work left
        relay = processes.relay(own, **small_batches).start().wait_ready()
        await caught_up(own)
    finally:
        relay.stop()
    report = await audit(own.pg_dsn, own.kafka, own.topic_prefix, "main")
    assert report.stored == total == 40_000
    assert (report.holes, report.strays, report.pending) == ([], [], 0)
    assert all(count == 2 for count in report.duplicates.values())
    # In each stream, the first time each version reached the topic was in order.
    records = await consume_until(
        own.kafka, [topic_for("order", own.topic_prefix)], lambda rs: len(rs) >= report.published_records
    )
    firsts: dict[str, list[int]] = defaultdict(list)
    for record in records:
        version = int(header(record, "ce_streamversion") or 0)
        seen = firsts[record.key.decode()]
        if version not in seen:
            seen.append(version)
    assert all(v == list(range(1, len(v) + 1)) for v in firsts.values())


async def test_a_standby_relay_takes_over_within_seconds(own: Infra) -> None:
    first = processes.relay(own).start().wait_ready()
    second = processes.relay(own).start().wait_ready()
    try:
        status = [httpx.get(f"{r.url}/status").json()["leader"] for r in (first, second)]
        assert sorted(status) == [False, True]
        leader, standby = (first, second) if status[0] else (second, first)
        leader.kill()
        killed_at = time.monotonic()
        while not httpx.get(f"{standby.url}/status").json()["leader"]:
            assert time.monotonic() - killed_at < 10, "standby did not take over within 10 s"
            await asyncio.sleep(0.05)
        takeover = time.monotonic() - killed_at
        total = await torture(own, writers=4, transactions=10, per_txn=2, streams=5)
        await caught_up(own)
    finally:
        first.stop()
        second.stop()
    report = await audit(own.pg_dsn, own.kafka, own.topic_prefix, "main")
    assert report.stored == total and report.ok and report.pending == 0
    assert takeover < 10


async def test_audit_finds_and_republishes_a_hole(own: Infra) -> None:
    relay = processes.relay(own).start().wait_ready()
    try:
        await torture(own, writers=2, transactions=5, per_txn=2, streams=3)
        await caught_up(own)
    finally:
        relay.stop()
    conn = await asyncpg.connect(own.pg_dsn)
    await init_connection(conn)
    try:
        # A hole the relay could not have made: an event slipped into the store behind the checkpoint.
        await conn.execute(
            """INSERT INTO bahi_events (tx_id, event_id, stream_id, stream_type, version, event_type,
                                  schema_version, data, metadata)
                              VALUES ('1'::xid8, $1, 'ord-hole', 'order', 1, 'OrderPlaced', 1, $2, $3)""",
            uuid4(),
            {"n": 0},
            {},
        )
    finally:
        await conn.close()
    cli = [sys.executable, "-m", "command_service.relay", "audit"]
    env = {**processes.service_env(own), "PATH": "/usr/bin:/bin"}
    found = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert found.returncode == 1 and "hole: ord-hole v1" in found.stdout, found.stdout + found.stderr
    fixed = subprocess.run([*cli, "--republish"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert fixed.returncode == 0 and "republished=1" in fixed.stdout, fixed.stdout + fixed.stderr
    again = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "holes=0" in again.stdout
