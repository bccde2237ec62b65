"""Rebuilds whose process died: a rebuild killed with SIGKILL mid-run is reported abandoned by
`status`, and the next rebuild of the read model drops its target, marks it failed and switches
in a correct view. A rebuild that was only slow, and was cleaned up meanwhile, never switches."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from projector_service import rebuilds
from projector_service.dlq import DeadLetters
from projector_service.parking import ParkingLot
from projector_service.pointers import live_collection
from projector_service.projections import PROJECTIONS
from projector_service.rebuild import Progress, RebuildAbandonedError, RebuildOptions, rebuild
from projector_service.sources import KafkaSource
from shared.kafka_admin import ensure_topics
from shared.topics import topic_for
from tests import processes
from tests.conftest import Infra, fresh_infra
from tests.integration.test_projector_kafka import cli, database, expected_versions, produce, versions, wait_until
from tests.unit.test_projector_lifecycles import history

pytestmark = [pytest.mark.integration]

STALE_SECONDS = 2.0


@pytest.fixture
async def own_infra(run_id: str, request: pytest.FixtureRequest) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{request.node.name[5:16]}") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


@pytest.mark.slow
async def test_a_killed_rebuild_is_reported_abandoned_and_the_next_rebuild_cleans_it_up(
    own_infra: Infra, tmp_path: Path
) -> None:
    events = [e for e in history(6000, products=40, seed=83, tag="kl") if e.stream_type == "order"]
    await produce(own_infra, events)
    stale = str(STALE_SECONDS)
    log = (tmp_path / "rebuild.log").open("wb")
    env = {**os.environ, **processes.service_env(own_infra), "BAHI_REBUILD_STALE_SECONDS": stale}
    async with database(own_infra) as db:
        killed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "projector_service", "rebuild", "order_view", "--batch", "100", "--no-wait",
            cwd=processes.ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:

            async def some_applied() -> bool:
                record = await db[rebuilds.REBUILDS].find_one({"projection": "order_view"})
                return record is not None and record["consumed"] > 0

            await wait_until(some_applied, timeout=120, what="the rebuild's first batches", poll=0.05)
        finally:
            killed.send_signal(signal.SIGKILL)
            await killed.wait()
            log.close()
        assert killed.returncode == -signal.SIGKILL

        [record] = [r async for r in db[rebuilds.REBUILDS].find({"projection": "order_view"})]
        assert record["state"] == rebuilds.RUNNING and 0 < record["consumed"] < len(events), record
        assert record["collection"] == "order_view__v1"
        assert await db["order_view__v1"].estimated_document_count() > 0  # it had written when it died
        assert await live_collection(db, "order_view") == "order_view"  # ... and never switched

        async def reported_abandoned() -> bool:
            stale_after = timedelta(seconds=STALE_SECONDS)
            return bool(await rebuilds.abandoned(db, "order_view", stale_after=stale_after))

        await wait_until(reported_abandoned, timeout=30, what="the heartbeat to go stale")
        shown = cli(own_infra, "status", "--json", BAHI_REBUILD_STALE_SECONDS=stale)
        assert shown.returncode == 0, shown.stderr[-3000:]
        [order_view] = [s for s in orjson.loads(shown.stdout) if s["projection"] == "order_view"]
        assert [r["collection"] for r in order_view["abandoned"]] == ["order_view__v1"]
        assert order_view["rebuilds"] == []
        table = cli(own_infra, "status", BAHI_REBUILD_STALE_SECONDS=stale)
        assert "order_view__v1 ABANDONED" in table.stdout, table.stdout

        again = cli(own_infra, "rebuild", "order_view", "--no-wait", BAHI_REBUILD_STALE_SECONDS=stale)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "cleaned up the abandoned rebuild into order_view__v1" in again.stderr
        assert "order_view__v1" not in await db.list_collection_names()
        died = await db[rebuilds.REBUILDS].find_one({"_id": "order_view__v1"})
        assert died is not None and died["state"] == rebuilds.FAILED and died["error"].startswith("abandoned:")
        assert await live_collection(db, "order_view") == "order_view__v2"
        assert await versions(db, PROJECTIONS["order_view"]) == expected_versions(events)["order_view"]
        done = await db[rebuilds.REBUILDS].find_one({"_id": "order_view__v2"})
        assert done is not None and done["state"] == rebuilds.SWITCHED and done["consumed"] == len(events)


async def test_a_slow_rebuild_cleaned_up_by_another_process_stops_before_its_switch(own_infra: Infra) -> None:
    events = [e for e in history(1500, products=20, seed=89, tag="sl") if e.stream_type == "order"]
    await produce(own_infra, events)
    async with database(own_infra) as db:
        declared: list[asyncio.Task[object]] = []

        def on_progress(progress: Progress) -> None:  # what another process's clean_up writes
            if progress.consumed > 0 and not declared:
                failed = {"$set": {"state": rebuilds.FAILED, "error": "abandoned: test"}}
                declared.append(
                    asyncio.ensure_future(db[rebuilds.REBUILDS].update_one({"_id": "order_view__v1"}, failed))
                )

        projection = PROJECTIONS["order_view"]
        topics = [topic_for(t, own_infra.topic_prefix) for t in projection.stream_types]
        source = KafkaSource(own_infra.kafka, topics, f"test.slow.{random.getrandbits(32)}")
        options = RebuildOptions(batch_max_records=50, stale_seconds=1.0)
        with pytest.raises(RebuildAbandonedError):
            await rebuild(
                db, projection, source, lot=ParkingLot(db), dead_letters=DeadLetters(None, "-"), options=options,
                on_progress=on_progress,
            )  # fmt: skip
        assert declared and declared[0].done()
        assert await live_collection(db, "order_view") == "order_view"
        assert "order_view__v1" not in await db.list_collection_names()
        record = await db[rebuilds.REBUILDS].find_one({"_id": "order_view__v1"})
        assert record is not None and record["state"] == rebuilds.FAILED
