"""The relay's status read from the real PostgreSQL: what is not published yet and how old it
is, against the checkpoint of the relay named; who holds the leader lock; and the command
`python -m command_service.relay status` with a relay process running, then stopped."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest

from command_service.event_store import NO_STREAM, AppendStream
from command_service.event_store.postgres import PostgresEventStore, create_schema, init_connection, open_pool
from command_service.relay import Checkpoint, CommittedFeed
from command_service.relay.relay import LEADER_LOCK
from command_service.relay.status import relay_status
from shared.envelope import EventMetadata, NewEvent
from tests.support import processes
from tests.support.infra import ROOT, Infra, fresh_infra, unique
from tests.support.projector import wait_until
from tests.support.relay import caught_up

pytestmark = pytest.mark.integration


@pytest.fixture
async def own(run_id: str) -> AsyncIterator[Infra]:
    """A database of its own: the leader lock is per database, and the session's may be held."""
    async with fresh_infra(f"{run_id}_{uuid4().hex[:6]}") as infra:
        pool = await open_pool(infra.pg_dsn, min_size=1, max_size=2)
        await create_schema(pool)
        await pool.close()
        yield infra


@pytest.fixture
async def conn(own: Infra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(own.pg_dsn)
    await init_connection(conn)
    yield conn
    await conn.close()


def event(n: int) -> NewEvent:
    return NewEvent(
        event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data={"n": n}, metadata=EventMetadata()
    )


async def append(conn: asyncpg.Connection, streams: int, per_stream: int) -> None:
    """A transaction per stream."""
    store = PostgresEventStore(conn)
    for _ in range(streams):
        await store.append([AppendStream(unique("ord-"), "order", NO_STREAM, [event(n) for n in range(per_stream)])])


async def rolled_back(conn: asyncpg.Connection, events: int) -> None:
    transaction = conn.transaction()
    await transaction.start()
    await PostgresEventStore(conn).append(
        [AppendStream(unique("ord-"), "order", NO_STREAM, [event(n) for n in range(events)])]
    )
    await transaction.rollback()


async def commit_order(conn: asyncpg.Connection) -> list[Checkpoint]:
    rows = await conn.fetch("SELECT tx_id::text::bigint AS tx, position FROM bahi_events ORDER BY tx_id, position")
    return [Checkpoint(r["tx"], r["position"]) for r in rows]


async def test_the_lag_is_what_follows_the_relays_checkpoint_and_its_age_the_oldest_events(
    own: Infra, conn: asyncpg.Connection
) -> None:
    empty = await relay_status(conn, "main")
    assert (empty.head, empty.events, empty.lag, empty.lag_seconds) == (0, 0, 0, 0.0)
    assert (empty.checkpoint, empty.checkpoint_saved_at, empty.leader_pid) == (Checkpoint(), None, None)
    assert empty.database == own.pg_dsn.rsplit("/", 1)[1]

    await append(conn, streams=2, per_stream=4)
    await rolled_back(conn, 5)  # takes five positions and leaves no event: the head is not the count
    await append(conn, streams=1, per_stream=4)
    order = await commit_order(conn)
    behind = await relay_status(conn, "main")
    assert behind.lag == behind.events == len(order) == 12
    assert behind.head == max(c.position for c in order) == 17
    assert 0 < behind.lag_seconds < 60

    # The first event in commit order is made the oldest by far: the age is its own.
    await conn.execute(
        "UPDATE bahi_events SET recorded_at = clock_timestamp() - interval '90 seconds' WHERE position = $1",
        order[0].position,
    )
    assert 90 <= (await relay_status(conn, "main")).lag_seconds < 150

    feed = CommittedFeed(conn, "main")
    await feed.save(order[3])  # published: the first stream's four events
    moved = await relay_status(conn, "main")
    assert (moved.lag, moved.checkpoint, moved.head, moved.events) == (8, order[3], behind.head, 12)
    assert moved.checkpoint_saved_at is not None and 0 < moved.lag_seconds < 60

    await CommittedFeed(conn, "other").save(order[-1])  # another relay's checkpoint is not this one's
    assert (await relay_status(conn, "main")).lag == 8
    other = await relay_status(conn, "other")
    assert (other.lag, other.lag_seconds) == (0, 0.0)

    await feed.save(order[-1])
    done = await relay_status(conn, "main")
    assert (done.lag, done.lag_seconds, done.checkpoint, done.events) == (0, 0.0, order[-1], 12)


async def test_the_leader_is_the_backend_holding_the_relays_advisory_lock_in_this_database(
    own: Infra, conn: asyncpg.Connection, run_id: str
) -> None:
    assert (await relay_status(conn, "main")).leader_pid is None
    holder = await asyncpg.connect(own.pg_dsn)
    try:
        assert await holder.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK)
        assert (await relay_status(conn, "main")).leader_pid == holder.get_server_pid()
        assert await holder.fetchval("SELECT pg_advisory_unlock($1)", LEADER_LOCK)
        assert (await relay_status(conn, "main")).leader_pid is None
        # The same number as a two-key lock is not the relay's.
        assert await holder.fetchval("SELECT pg_try_advisory_lock(0, $1)", LEADER_LOCK)
        assert (await relay_status(conn, "main")).leader_pid is None
    finally:
        await holder.close()
    # Nor is the relay's lock taken in another database.
    async with fresh_infra(f"{run_id}_{uuid4().hex[:6]}") as elsewhere:
        stranger = await asyncpg.connect(elsewhere.pg_dsn)
        try:
            assert await stranger.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK)
            assert (await relay_status(conn, "main")).leader_pid is None
        finally:
            await stranger.close()


def status_command(infra: Infra, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**processes.service_env(infra), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "command_service.relay", "status", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60)


@pytest.mark.slow
async def test_the_status_command_shows_a_running_relay_caught_up_and_then_none(
    own: Infra, conn: asyncpg.Connection
) -> None:
    await append(conn, streams=5, per_stream=2)
    before = status_command(own, "--json")
    assert before.returncode == 0, before.stderr
    assert {k: v for k, v in json.loads(before.stdout).items() if k in ("leader", "lag", "events")} == {
        "leader": False,
        "lag": 10,
        "events": 10,
    }

    relay = processes.relay(own).start().wait_ready()
    try:
        await caught_up(own)
        shown = status_command(own, "--json")
        assert shown.returncode == 0, shown.stderr
        standing = json.loads(shown.stdout)
        assert standing["leader"] is True and isinstance(standing["leader_pid"], int), standing
        assert (standing["lag"], standing["lag_seconds"], standing["events"]) == (0, 0.0, 10)
        assert standing["checkpoint"]["position"] == standing["head"] > 0
        table = status_command(own)
        assert table.returncode == 0, table.stderr
        assert all(len(line) <= 80 for line in table.stdout.splitlines()), table.stdout
        assert f"held (PostgreSQL backend {standing['leader_pid']})" in table.stdout, table.stdout
    finally:
        relay.stop()

    async def no_leader() -> bool:
        return (await relay_status(conn, "main")).leader_pid is None

    await wait_until(no_leader, timeout=30, what="the stopped relay's session to end", poll=0.05)
    table = status_command(own)
    assert "none: no relay holds the lock" in table.stdout, table.stdout + table.stderr
