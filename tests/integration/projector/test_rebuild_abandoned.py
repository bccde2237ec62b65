"""Rebuilds whose process died: a rebuild killed with SIGKILL mid-run is reported abandoned by
`status`, and the next rebuild of the read model drops its target, marks it failed, deletes its
consumer group and switches in a correct view. A rebuild that was only slow, and was cleaned up
meanwhile, never switches, and deletes its own group when it stops."""

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
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import Progress, RebuildAbandonedError, RebuildOptions, ledger, rebuild
from projector_service.rebuild.kafka_groups import DELETED, FAILED, GONE, NOT_EMPTY, ConsumerGroups
from projector_service.rebuild.sources import KafkaSource
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support import processes
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import Infra, fresh_infra
from tests.support.projector import cli, database, expected_versions, produce, versions, wait_until

REGISTRY = COMMERCE_REGISTRY
PROJECTIONS = REGISTRY.projections

pytestmark = [pytest.mark.integration]

STALE_SECONDS = 2.0


@pytest.fixture
async def own_infra(run_id: str, request: pytest.FixtureRequest) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{request.node.name[5:16]}") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


async def consumer_groups(bootstrap: str) -> set[str]:
    """The groups the broker knows (those with committed offsets or members)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {str(group[0]) for group in await admin.list_consumer_groups()}
    finally:
        await admin.close()


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

            async def some_committed() -> bool:  # applied, and its group's offsets on the broker
                record = await db[ledger.REBUILDS].find_one({"projection": "order_view"})
                if record is None or record["consumed"] == 0:
                    return False
                return record["group"] in await consumer_groups(own_infra.kafka)

            await wait_until(some_committed, timeout=120, what="the rebuild's first committed batches", poll=0.05)
        finally:
            killed.send_signal(signal.SIGKILL)
            await killed.wait()
            log.close()
        assert killed.returncode == -signal.SIGKILL

        [record] = [r async for r in db[ledger.REBUILDS].find({"projection": "order_view"})]
        assert record["state"] == ledger.RUNNING and 0 < record["consumed"] < len(events), record
        assert record["collection"] == "order_view__v1"
        assert await db["order_view__v1"].estimated_document_count() > 0  # it had written when it died
        assert await live_collection(db, "order_view") == "order_view"  # ... and never switched
        group = record["group"]
        assert group.startswith("bahi.projector.order_view.rebuild."), group
        assert group in await consumer_groups(own_infra.kafka)  # left behind by the killed process

        async def reported_abandoned() -> bool:
            stale_after = timedelta(seconds=STALE_SECONDS)
            return bool(await ledger.abandoned(db, "order_view", stale_after=stale_after))

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
        assert f"consumer group {group}: deleted" in again.stderr
        assert "order_view__v1" not in await db.list_collection_names()
        died = await db[ledger.REBUILDS].find_one({"_id": "order_view__v1"})
        assert died is not None and died["state"] == ledger.FAILED and died["error"].startswith("abandoned:")
        assert died["group_cleanup"] == DELETED
        assert await live_collection(db, "order_view") == "order_view__v2"
        assert await versions(db, PROJECTIONS["order_view"]) == expected_versions(events)["order_view"]
        done = await db[ledger.REBUILDS].find_one({"_id": "order_view__v2"})
        assert done is not None and done["state"] == ledger.SWITCHED and done["consumed"] == len(events)
        assert done["group_cleanup"] == DELETED  # after its handover nothing reads under it
        left = await consumer_groups(own_infra.kafka)
        assert group not in left and done["group"] not in left


async def test_a_slow_rebuild_cleaned_up_by_another_process_stops_before_its_switch(own_infra: Infra) -> None:
    events = [e for e in history(1500, products=20, seed=89, tag="sl") if e.stream_type == "order"]
    await produce(own_infra, events)
    async with database(own_infra) as db:
        declared: list[asyncio.Task[object]] = []

        def on_progress(progress: Progress) -> None:  # what another process's clean_up writes
            if progress.consumed > 0 and not declared:
                failed = {"$set": {"state": ledger.FAILED, "error": "abandoned: test"}}
                declared.append(
                    asyncio.ensure_future(db[ledger.REBUILDS].update_one({"_id": "order_view__v1"}, failed))
                )

        projection = PROJECTIONS["order_view"]
        topics = [topic_for(t, own_infra.topic_prefix) for t in projection.stream_types]
        group = f"test.slow.{random.getrandbits(32)}"
        source = KafkaSource(own_infra.kafka, topics, group)
        options = RebuildOptions(batch_max_records=50, stale_seconds=1.0)
        with pytest.raises(RebuildAbandonedError):
            await rebuild(
                db, projection, source, indexes=REGISTRY.indexes_for(projection), lot=ParkingLot(db),
                dead_letters=DeadLetters(None, "-"), options=options, on_progress=on_progress,
                groups=ConsumerGroups(own_infra.kafka),
            )  # fmt: skip
        assert declared and declared[0].done()
        assert await live_collection(db, "order_view") == "order_view"
        assert "order_view__v1" not in await db.list_collection_names()
        record = await db[ledger.REBUILDS].find_one({"_id": "order_view__v1"})
        assert record is not None and record["state"] == ledger.FAILED
        assert record["group_cleanup"] == DELETED  # it had committed batches under it
        assert group not in await consumer_groups(own_infra.kafka)


async def test_deleting_a_group_with_members_leaves_it_and_a_gone_group_or_a_dead_broker_raises_nothing(
    own_infra: Infra,
) -> None:
    groups = ConsumerGroups(own_infra.kafka)
    group = f"test.members.{random.getrandbits(32)}"
    member = AIOKafkaConsumer(
        topic_for("order", own_infra.topic_prefix), bootstrap_servers=own_infra.kafka, group_id=group
    )
    await member.start()
    try:

        async def joined() -> bool:
            await member.getmany(timeout_ms=100)
            return bool(member.assignment())

        await wait_until(joined, timeout=30, what="the member to join its group")
        assert (await groups.delete(group)).outcome == NOT_EMPTY  # "abandoned" but alive: left for later
        assert group in await consumer_groups(own_infra.kafka)
    finally:
        await member.stop()
    assert (await groups.delete(group)).outcome == DELETED
    assert group not in await consumer_groups(own_infra.kafka)
    assert (await groups.delete(group)).outcome == GONE
    dead = await ConsumerGroups("127.0.0.1:1", timeout_seconds=2.0).delete(group)
    assert dead.outcome == FAILED and dead.error and not dead.done, dead
