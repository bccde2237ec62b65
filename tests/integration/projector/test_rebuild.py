"""Blue/green rebuilds against real Kafka, PostgreSQL and the MongoDB stand-in.

- Under load: `python -m projector_service rebuild order_view` over ~50,000 events
  while readers hammer GET /v1/orders/{id} on a query service process: not one
  read fails, and after the switch the view is byte for byte the one before.
- While events keep coming: nothing is lost at the switch (the handover).
- From the event store: the same views as from Kafka.
- Refusals: a second rebuild of a read model, a source with no topics.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from command_service.event_store.postgres import create_schema, init_connection
from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import EmptyHistoryError, RebuildOptions, RebuildResult, ledger, rebuild
from projector_service.rebuild.sources import KafkaSource
from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support import auth, processes
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import Infra, fresh_infra
from tests.support.projector import checksum, cli, database, expected_versions, produce, versions, wait_until

REGISTRY = COMMERCE_REGISTRY
PROJECTIONS = REGISTRY.projections

pytestmark = [pytest.mark.integration]


@pytest.fixture
async def own_infra(run_id: str, request: pytest.FixtureRequest) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_{request.node.name[5:16]}") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


def live_projector(infra: Infra, names: str) -> processes.Service:
    service = processes.projector(infra)
    service.env.update({"BAHI_PROJECTIONS": names, "BAHI_STATUS_INTERVAL_SECONDS": "1"})
    return service


async def rebuild_now(
    db: Any, infra: Infra, name: str, *, topics: list[str] | None = None, batch: int = 20_000
) -> RebuildResult:
    """A rebuild in this process (old views kept for an hour, to compare)."""
    projection = PROJECTIONS[name]
    topics = topics or [topic_for(t, infra.topic_prefix) for t in projection.stream_types]
    source = KafkaSource(infra.kafka, topics, f"test.{name}.{random.getrandbits(32)}")
    options = RebuildOptions(batch_max_records=batch, grace_seconds=3600)
    lot, dead_letters = ParkingLot(db), DeadLetters(None, "unused")
    indexes = REGISTRY.indexes_for(projection)
    return await rebuild(db, projection, source, indexes=indexes, lot=lot, dead_letters=dead_letters, options=options)


def during_count(reads: list[float], started: float, finished: float) -> int:
    return sum(started < t < finished for t in reads)


async def wait_view_current(db: Any, name: str, events: list[EventEnvelope], timeout: float) -> None:
    wanted = expected_versions(events)[name]

    async def current() -> bool:
        return await versions(db, PROJECTIONS[name]) == wanted

    await wait_until(current, timeout=timeout, what=f"{name} current", poll=0.5)


@pytest.mark.slow
async def test_rebuild_under_load_answers_every_read_and_switches_to_the_same_view(own_infra: Infra) -> None:
    events = [e for e in history(10_800, products=60, seed=51, tag="ld") if e.stream_type == "order"]
    assert len(events) >= 48_000
    final = {e.stream_id: e.version for e in events}
    order_ids = sorted(final)
    projector, query = live_projector(own_infra, "order_view"), processes.query(own_infra)
    projector.start()
    query.start()
    try:
        projector.wait_ready()
        query.wait_ready()
        await produce(own_infra, events)
        async with database(own_infra) as db:
            await wait_view_current(db, "order_view", events, timeout=240)
            before = await checksum(db, "order_view")

            stop = asyncio.Event()
            reads: list[float] = []
            failures: list[str] = []

            async def reader(seed: int) -> None:
                rng = random.Random(seed)
                async with httpx.AsyncClient(base_url=query.url, timeout=10, headers=auth.STAFF) as client:
                    while not stop.is_set():
                        order_id = rng.choice(order_ids)
                        try:
                            response = await client.get(f"/v1/orders/{order_id}")
                            ok = response.status_code == 200 and response.json()["version"] == final[order_id]
                            if not ok:
                                failures.append(f"{order_id}: {response.status_code} {response.text[:200]}")
                        except httpx.HTTPError as exc:
                            failures.append(f"{order_id}: {exc!r}")
                        reads.append(time.monotonic())

            readers = [asyncio.create_task(reader(n)) for n in range(6)]
            started = time.monotonic()
            rebuilding = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "projector_service", "rebuild", "order_view", "--grace", "3",
                cwd=processes.ROOT, env={**os.environ, **processes.service_env(own_infra), "COLUMNS": "200"},
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(rebuilding.communicate(), timeout=240)
            assert rebuilding.returncode == 0, err.decode()[-3000:]
            finished = time.monotonic()

            async def reads_after_switch() -> bool:  # the query service's pointer cache has expired by now
                return sum(t > finished + 1.5 for t in reads) >= 200

            await wait_until(reads_after_switch, timeout=60, what="reads from the new view")
            stop.set()
            await asyncio.gather(*readers)

            print(f"\n{len(reads)} reads, {during_count(reads, started, finished)} during the rebuild\n{out.decode()}")
            assert failures == [], failures[:5]
            during = during_count(reads, started, finished)
            assert during >= 200, f"only {during} reads during the rebuild"
            assert await live_collection(db, "order_view") == "order_view__v1"
            assert await checksum(db, "order_view__v1") == before
            assert "order_view" not in await db.list_collection_names()  # dropped after the grace period
            [record] = [r async for r in db[ledger.REBUILDS].find({"projection": "order_view"})]
            assert record["state"] == ledger.SWITCHED and record["consumed"] >= len(events)
            assert "order_view__v1" in out.decode() and "events/s" in err.decode()
    finally:
        query.stop()
        projector.stop()


@pytest.mark.slow
async def test_nothing_is_lost_at_the_switch_while_events_keep_coming(own_infra: Infra) -> None:
    events = history(1500, products=20, seed=61, tag="hv")
    half = len(events) // 2
    projector = live_projector(own_infra, "order_view,customer_summary")
    projector.start()
    try:
        projector.wait_ready()
        await produce(own_infra, events[:half])
        async with database(own_infra) as db:
            await wait_view_current(db, "order_view", events[:half], timeout=120)
            feeding = asyncio.create_task(produce(own_infra, events[half:], pace=1.0))
            await asyncio.gather(
                *(rebuild_now(db, own_infra, name, batch=500) for name in ("order_view", "customer_summary"))
            )
            assert not feeding.done(), "the events should still be coming after the switches"
            await feeding
            for name in ("order_view", "customer_summary"):
                await wait_view_current(db, name, events, timeout=120)
            assert await live_collection(db, "order_view") == "order_view__v1"
    finally:
        projector.stop()
    async with database(own_infra) as db:  # the switched-in views equal a from-scratch rebuild of them
        for name in ("order_view", "customer_summary"):
            result = await rebuild_now(db, own_infra, name)
            canonical = PROJECTIONS[name].multi_stream
            assert await checksum(db, result.replaced, canonical=canonical) == await checksum(
                db, result.collection, canonical=canonical
            )


async def test_a_rebuild_from_the_event_store_gives_the_views_a_kafka_rebuild_gives(own_infra: Infra) -> None:
    events = history(300, products=12, seed=71, tag="st")
    pool = await asyncpg.create_pool(own_infra.pg_dsn, min_size=1, max_size=2, init=init_connection)
    assert pool is not None
    try:
        await create_schema(pool)
        async with pool.acquire() as conn:  # positions are identity values: in history order they are the same
            await conn.executemany(
                """INSERT INTO bahi_events (event_id, stream_id, stream_type, version, event_type, schema_version,
                                            data, metadata, recorded_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb, $9)""",
                [
                    (e.event_id, e.stream_id, e.stream_type, e.version, e.event_type, e.schema_version,
                     orjson.dumps(e.data).decode(), e.metadata.model_dump_json(), e.recorded_at)
                    for e in events
                ],
            )  # fmt: skip
    finally:
        await pool.close()
    await produce(own_infra, events)
    async with database(own_infra) as db:
        from_kafka = {name: (await rebuild_now(db, own_infra, name)).collection for name in PROJECTIONS}  # __v1
        done = cli(own_infra, "rebuild", "--all", "--from-store", "--grace", "3600", "--no-wait")
        assert done.returncode == 0, done.stderr[-3000:]
        for name, projection in PROJECTIONS.items():  # ... and the store's rebuild switched in __v2
            from_store = await live_collection(db, projection.collection)
            assert from_store == f"{projection.collection}__v2"
            canonical = projection.multi_stream
            kafka_sum = await checksum(db, from_kafka[name], canonical=canonical)
            assert kafka_sum[0] > 0 and await checksum(db, from_store, canonical=canonical) == kafka_sum, name


async def test_a_second_rebuild_of_a_read_model_is_refused_and_a_missing_topic_switches_nothing(
    own_infra: Infra,
) -> None:
    async with database(own_infra) as db:
        now = datetime.now(UTC)
        await db[ledger.REBUILDS].insert_one(
            {"_id": "order_view__v9", "projection": "order_view", "collection": "order_view__v9",
             "state": ledger.RUNNING, "started_at": now, "heartbeat": now, "phase": "catching up",
             "consumed": 1, "total": 2},
        )  # fmt: skip
        refused = cli(own_infra, "rebuild", "order_view")
        assert refused.returncode == 1 and "order_view__v9" in refused.stderr
        await db[ledger.REBUILDS].update_one(
            {"_id": "order_view__v9"}, {"$set": {"heartbeat": now - timedelta(minutes=5)}}
        )
        missing = f"no-such-{own_infra.topic_prefix}.order.events"
        with pytest.raises(LookupError):
            await rebuild_now(db, own_infra, "order_view", topics=[missing])
        with pytest.raises(LookupError):  # asking did not create the topic
            await rebuild_now(db, own_infra, "order_view", topics=[missing])
        await db["order_view"].insert_one({"_id": "ord-1", "version": 1})
        with pytest.raises(EmptyHistoryError):  # the topics exist but lost their history
            await rebuild_now(db, own_infra, "order_view")
        assert await live_collection(db, "order_view") == "order_view"
        failed = [r async for r in db[ledger.REBUILDS].find({"projection": "order_view", "state": ledger.FAILED})]
        errors = ["abandoned", "LookupError", "LookupError", "EmptyHistoryError"]  # v9 cleaned up by the next one
        assert [r["error"].split(":")[0] for r in failed] == errors
        assert not {r["collection"] for r in failed} & set(await db.list_collection_names())
