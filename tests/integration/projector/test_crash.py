"""Crashes and scaling against projector processes, real Kafka and the MongoDB stand-in.

- Crash: while ~10,000 events stream in, the projector is SIGKILLed ten times and
  restarted; each kill point is chosen by observed progress (the process applied
  events, or committed offsets, past the last kill's mark), never by a clock, so a slow
  cold start cannot make every kill land before any work. At the end every view equals a
  from-scratch rebuild of it (checksum of every document's BSON) and the versions the
  whole history gives.
- Scaling: three projector processes share the partitions; one is SIGKILLed
  mid-stream; the survivors take its partitions over and the views end correct.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support import processes
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import Infra, fresh_infra
from tests.support.projector import assert_equal_to_rebuild, cli, database, produce, versions, wait_current, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROJECTIONS = COMMERCE_REGISTRY.projections


@pytest.fixture
async def own_infra(run_id: str, request: pytest.FixtureRequest) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{request.node.name[5:16]}") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


def projector(infra: Infra, **env: str) -> processes.Service:
    service = processes.projector(infra)
    service.env.update({"BAHI_KAFKA_SESSION_TIMEOUT_MS": "6000", "BAHI_KAFKA_HEARTBEAT_INTERVAL_MS": "1000", **env})
    return service


KILLS = 10
FEED_CHUNK = 100
"""Events per chunk of the feed: about 50 order events, a batch or a few for the projector."""
STALL_SECONDS = 60.0
"""A wait for progress fails once nothing it watches has moved for this long (a cold start included)."""


async def applied_events(db: Any) -> int:
    """Order events in order_view: each document's version is its stream's last applied, so the sum
    grows with every event applied and never with a redelivered one."""
    return sum((await versions(db, PROJECTIONS["order_view"])).values())


async def committed_offsets(admin: AIOKafkaAdminClient, infra: Infra) -> int:
    """The offsets order_view's live group has committed on the order topic, summed over its partitions."""
    topic = topic_for("order", infra.topic_prefix)
    offsets = await admin.list_consumer_group_offsets("bahi.projector.order_view")
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


async def until_past(service: processes.Service, measure: Callable[[], Awaitable[int]], mark: int, *, what: str) -> int:
    """Poll `measure` until it is past `mark`; fail if the process exits or the measure stays
    still for STALL_SECONDS (the deadline moves with every change observed)."""
    seen, moved_at = None, time.monotonic()
    while True:
        assert service.process is not None and service.process.poll() is None, service.tail()
        value = await measure()
        if value > mark:
            return value
        if value != seen:
            seen, moved_at = value, time.monotonic()
        if time.monotonic() - moved_at > STALL_SECONDS:
            raise AssertionError(f"{what}: stuck at {value} (past {mark} wanted) for {STALL_SECONDS:.0f}s")
        await asyncio.sleep(0.05)


async def feed(
    infra: Infra,
    parts: Sequence[Sequence[EventEnvelope]],
    runs: list[asyncio.Event],
    applied: Callable[[], Awaitable[int]],
    kills_over: asyncio.Event,
) -> None:
    """Part k streams in once run k has started (the last once the kills are over), so every run has
    events of its own to apply, however much the previous runs caught up on. Until the kills are
    over, each chunk goes out once the projector has applied the ones before it: a run applies
    several batches, and the kills land at varied points of it."""
    produced = 0  # order events produced so far
    for part, started in zip(parts, runs, strict=True):
        await started.wait()
        for start in range(0, len(part), FEED_CHUNK):
            while not kills_over.is_set() and await applied() < produced:
                await asyncio.sleep(0.05)
            chunk = part[start : start + FEED_CHUNK]
            await produce(infra, chunk)
            produced += sum(env.stream_type == "order" for env in chunk)


async def test_sigkill_ten_times_while_events_stream_in(own_infra: Infra) -> None:
    events = history(1250, products=30, seed=31, tag="ck")
    assert len(events) >= 10_000
    parts = [events[k * len(events) // (KILLS + 1) : (k + 1) * len(events) // (KILLS + 1)] for k in range(KILLS + 1)]
    runs, kills_over = [asyncio.Event() for _ in parts], asyncio.Event()
    # Static membership: the restarted process takes its partitions back at once.
    service = projector(own_infra, BAHI_PROJECTOR_INSTANCE_ID="crash-test")
    rng = random.Random(13)
    admin = AIOKafkaAdminClient(bootstrap_servers=own_infra.kafka)
    await admin.start()
    feeding: asyncio.Task[None] | None = None
    marks: list[tuple[int, int]] = []  # (events applied, offsets committed) after each kill
    try:
        async with database(own_infra) as db:

            async def applied() -> int:
                return await applied_events(db)

            async def committed() -> int:
                return await committed_offsets(admin, own_infra)

            feeding = asyncio.create_task(feed(own_infra, parts, runs, applied, kills_over))
            last = (0, 0)
            for kill in range(KILLS):
                service.start()
                runs[kill].set()
                # Alternately just after documents were written (often before their offsets are
                # committed: the restart gets the batch again) and just after a commit, one to several
                # batches in; the other projections are mid-batch either way. Every part has 500+
                # order events, so each step is reached within its run.
                step = rng.randint(1, 400)
                if kill % 2 == 0:
                    await until_past(service, applied, last[0] + step, what=f"run {kill}: events applied")
                else:
                    await until_past(service, committed, last[1] + step, what=f"run {kill}: offsets committed")
                service.kill(signal.SIGKILL)
                marks.append((await applied(), await committed()))
                last = marks[-1]
            # Every killed process did work of its own: what each kill waited for grew past the last mark.
            assert all(marks[k][k % 2] > (marks[k - 1][k % 2] if k else 0) for k in range(KILLS)), marks
            applied_marks, committed_marks = ([m[i] for m in marks] for i in (0, 1))
            assert applied_marks == sorted(applied_marks) and committed_marks == sorted(committed_marks), marks
            kills_over.set()
            runs[KILLS].set()  # the last part (and what is left of the others) streams in with the projector down
            await feeding
            # With the projector down, `status` shows the lag in events and in seconds.
            status = cli(own_infra, "status", "--json")
            assert status.returncode == 0, status.stderr
            order_view = next(s for s in json.loads(status.stdout) if s["projection"] == "order_view")
            lags = [(p["lag"], p["lag_seconds"]) for p in order_view["partitions"]]
            assert len(lags) == 3 and sum(n for n, _ in lags) > 0 and max(s for _, s in lags) > 0, lags
            service.start()
            await wait_current(db, events, timeout=120)
            await assert_equal_to_rebuild(db, own_infra)
    finally:
        if feeding is not None:
            feeding.cancel()
        service.kill(signal.SIGKILL)
        await admin.close()


async def test_three_projectors_one_killed_mid_stream(own_infra: Infra) -> None:
    events = history(900, products=20, seed=41, tag="sc")
    services = [projector(own_infra) for _ in range(3)]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_ready()
        feeding = asyncio.create_task(produce(own_infra, events, pace=0.6))
        async with database(own_infra) as db:

            async def some_applied() -> bool:
                return await db["order_view"].count_documents({}) >= 150

            await wait_until(some_applied, timeout=60, what="the first orders applied")
            consumed = [_events_consumed(s) for s in services]
            assert sum(c > 0 for c in consumed) >= 2, f"the partitions are not shared: {consumed}"
            services[0].kill(signal.SIGKILL)  # mid-stream: the feed is still running
            assert not feeding.done()
            await feeding
            await wait_current(db, events, timeout=120)
            assert all(_events_consumed(s) > 0 for s in services[1:])
            await assert_equal_to_rebuild(db, own_infra)
    finally:
        for service in services:
            service.kill(signal.SIGKILL)


def _events_consumed(service: processes.Service) -> float:
    text = httpx.get(f"{service.url}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("bahi_projector_events_total{")
    )
