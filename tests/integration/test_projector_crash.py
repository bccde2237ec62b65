"""Crashes and scaling against projector processes, real Kafka and the MongoDB stand-in.

- Crash: while ~10,000 events stream in, the projector is SIGKILLed at random
  points ten times and restarted; at the end every view equals a from-scratch
  rebuild of it (checksum of every document's BSON) and the versions the whole
  history gives.
- Scaling: three projector processes share the partitions; one is SIGKILLed
  mid-stream; the survivors take its partitions over and the views end correct.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from shared.kafka_admin import ensure_topics
from tests import processes
from tests.conftest import Infra, fresh_infra
from tests.integration.test_projector_kafka import (
    assert_equal_to_rebuild,
    cli,
    database,
    produce,
    wait_current,
    wait_until,
)
from tests.unit.test_projector_lifecycles import history

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def own_infra(run_id: str, request: pytest.FixtureRequest) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{request.node.name[5:16]}") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


def projector(infra: Infra, **env: str) -> processes.Service:
    service = processes.projector(infra)
    service.env.update({"BAHI_KAFKA_SESSION_TIMEOUT_MS": "6000", "BAHI_KAFKA_HEARTBEAT_INTERVAL_MS": "1000", **env})
    return service


async def test_sigkill_ten_times_while_events_stream_in(own_infra: Infra) -> None:
    events = history(1250, products=30, seed=31, tag="ck")
    assert len(events) >= 10_000
    # Static membership: the restarted process takes its partitions back at once.
    service = projector(own_infra, BAHI_PROJECTOR_INSTANCE_ID="crash-test")
    feeding = asyncio.create_task(produce(own_infra, events, pace=1.0))
    rng = random.Random(13)
    applied_at_kills: list[int] = []
    try:
        async with database(own_infra) as db:
            while len(applied_at_kills) < 10:
                service.start()
                await asyncio.sleep(rng.uniform(0.5, 3.5))  # the kill point: anywhere from start-up to mid-batch
                assert service.process is not None and service.process.poll() is None, service.tail()
                service.kill(signal.SIGKILL)
                applied_at_kills.append(await db["order_view"].count_documents({}))
            # The killed processes did work between kills (not all of them died starting up).
            assert len(set(applied_at_kills)) >= 4, applied_at_kills
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
        feeding.cancel()
        service.kill(signal.SIGKILL)


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
