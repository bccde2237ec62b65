"""The projector against real Kafka and the MongoDB stand-in: the same batch twice leaves
every view byte for byte the same.

Also the helpers the other projector tests share: producing histories to Kafka,
checksums of whole collections, waiting for conditions with a deadline, running
the CLI as its own process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import bson
import orjson
import pytest
from aiokafka import AIOKafkaProducer
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine import Projection
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import Incoming, from_record, from_store
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import RebuildOptions, RebuildResult, rebuild
from projector_service.rebuild.sources import KafkaSource
from projector_service.registry import default_registry
from shared.cloudevents import to_kafka
from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.conftest import Infra, fresh_infra
from tests.kafka_helpers import consume_until
from tests.processes import ROOT, service_env
from tests.unit.test_projector_lifecycles import expected_views, history

REGISTRY = default_registry()
PROJECTIONS = REGISTRY.projections

pytestmark = [pytest.mark.integration]


# --- helpers shared by the projector's integration tests -------------------------------------------


@asynccontextmanager
async def database(infra: Infra) -> AsyncIterator[Any]:
    """The MongoDB database of an infra of the test's own (the `mongo` fixture is the session's)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    try:
        yield client[infra.mongo_db]
    finally:
        await client.close()


async def produce(infra: Infra, events: Sequence[EventEnvelope], *, pace: float = 0.0) -> None:
    """Publish stored events the way the relay does (CloudEvents, keyed by stream); `pace` s between chunks."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for start in range(0, len(events), 500):
            futures = []
            for env in events[start : start + 500]:
                record = to_kafka(env, "/bahi/test")
                topic = topic_for(env.stream_type, infra.topic_prefix)
                futures.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
            await asyncio.gather(*futures)
            if pace:
                await asyncio.sleep(pace)
    finally:
        await producer.stop()


async def produce_raw(infra: Infra, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def checksum(db: Any, collection: str, *, canonical: bool = False) -> tuple[int, str]:
    """(documents, sha256 of their BSON bytes as stored, in _id order): byte-for-byte equality.

    `canonical` hashes them with every object's keys sorted instead: equality of content
    whatever the field order (see `assert_equal_to_rebuild`)."""
    raw = db[collection].with_options(codec_options=CodecOptions(document_class=RawBSONDocument))
    digest = hashlib.sha256()
    count = 0
    async for doc in raw.find({}).sort("_id", 1):
        digest.update(orjson.dumps(bson.decode(doc.raw), option=orjson.OPT_SORT_KEYS) if canonical else doc.raw)
        count += 1
    return count, digest.hexdigest()


async def live_checksums(db: Any) -> dict[str, tuple[int, str]]:
    return {name: await checksum(db, await live_collection(db, p.collection)) for name, p in PROJECTIONS.items()}


async def versions(db: Any, projection: Projection) -> dict[str, int]:
    collection = await live_collection(db, projection.collection)
    return {doc["_id"]: doc["version"] async for doc in db[collection].find({}, {"version": 1})}


def expected_versions(events: Sequence[EventEnvelope]) -> dict[str, dict[str, int]]:
    return {name: {k: d["version"] for k, d in docs.items()} for name, docs in expected_views(list(events)).items()}


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, timeout: float, what: str | Callable[[], str], poll: float = 0.2
) -> None:
    """Poll `check` until it holds; fail with `what` (evaluated then) after the deadline."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what() if callable(what) else what}")
        await asyncio.sleep(poll)


async def wait_current(db: Any, events: Sequence[EventEnvelope], *, timeout: float) -> None:
    """Until every projection's documents are at the versions the whole history gives them."""
    wanted = expected_versions(events)
    lagging: list[str] = []

    async def current() -> bool:
        lagging[:] = [name for name, p in PROJECTIONS.items() if await versions(db, p) != wanted[name]]
        return not lagging

    await wait_until(current, timeout=timeout, what=lambda: f"views current (lagging: {lagging})", poll=0.5)


def cli(infra: Infra, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m projector_service ARGS` as its own process, configured like the services."""
    return subprocess.run(
        [sys.executable, "-m", "projector_service", *args],
        cwd=ROOT,
        env={**os.environ, **service_env(infra), "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def rebuild_all(db: Any, infra: Infra) -> list[RebuildResult]:
    """A from-scratch rebuild of every projection (in this process), old views kept for comparison."""
    results = []
    for projection in PROJECTIONS.values():
        topics = [topic_for(t, infra.topic_prefix) for t in projection.stream_types]
        source = KafkaSource(infra.kafka, topics, f"check.{projection.name}.{random.getrandbits(32)}")
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        results.append(
            await rebuild(
                db,
                projection,
                source,
                indexes=REGISTRY.indexes_for(projection),
                lot=lot,
                dead_letters=dead,
                options=RebuildOptions(grace_seconds=3600),
            )
        )
    return results


async def assert_equal_to_rebuild(db: Any, infra: Infra) -> None:
    """Every live view equals a from-scratch rebuild of it: byte for byte, except multi-stream views, whose
    field order inside the projection's own maps follows the order the streams arrived in (partitions,
    batches): those compare by content."""
    for result in await rebuild_all(db, infra):
        canonical = PROJECTIONS[result.projection].multi_stream
        before = await checksum(db, result.replaced, canonical=canonical)
        after = await checksum(db, result.collection, canonical=canonical)
        assert before[0] > 0 and before == after, f"{result.projection}: {result.replaced} {before} != rebuilt {after}"


# --- tests ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def kafka_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_pk") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


async def records(infra: Infra, count: int) -> list[Incoming]:
    topics = [topic_for(t, infra.topic_prefix) for t in ("order", "product")]
    raw = await consume_until(infra.kafka, topics, lambda rs: len(rs) >= count)
    return [from_record(r) for r in raw]


async def test_the_same_batch_twice_leaves_every_view_byte_for_byte_the_same(kafka_infra: Infra, mongo: Any) -> None:
    events = history(150, products=10, seed=11, tag="rd")
    await produce(kafka_infra, events)
    items = await records(kafka_infra, len(events))
    lot, dead = ParkingLot(mongo), DeadLetters(None, "unused")
    processors = [BatchProcessor(mongo, p, lot=lot, dead_letters=dead) for p in PROJECTIONS.values()]
    names = {p.name: f"redelivery_{p.name}" for p in PROJECTIONS.values()}

    for processor in processors:
        await processor.process(items, names[processor.projection.name])
    first = {name: await checksum(mongo, collection) for name, collection in names.items()}
    assert all(count > 0 for count, _ in first.values())

    rng = random.Random(5)
    for processor in processors:  # the whole batch again, then random overlapping slices of it
        await processor.process(items, names[processor.projection.name])
        for _ in range(3):
            start = rng.randrange(len(items))
            await processor.process(items[start : start + rng.randrange(1, 400)], names[processor.projection.name])
    assert {name: await checksum(mongo, c) for name, c in names.items()} == first

    # Coalescing does not change a byte either: the history in many small batches, into fresh collections.
    for processor in processors:
        small = f"small_{processor.projection.name}"
        for start in range(0, len(items), 37):
            await processor.process(items[start : start + 37], small)
        assert await checksum(mongo, small) == first[processor.projection.name]


def _buggy(bad_orders: dict[str, str]) -> Projection:
    """order_view, except that it raises, or makes a document MongoDB cannot take, for some orders."""
    view = PROJECTIONS["order_view"]

    def apply(doc: Any, event: Any, env: EventEnvelope) -> Any:
        new = view.apply(doc, event, env)
        match bad_orders.get(env.stream_id) if env.version >= 2 else None:
            case "raises":
                raise KeyError("a bug in the projection")
            case "unencodable":
                return {**new, "tags": {"a", "set"}}
            case "too large":
                return {**new, "blob": "x" * (17 * 1024 * 1024)}
        return new

    return dataclasses.replace(view, apply=apply)


async def test_a_bug_or_a_document_mongodb_refuses_parks_the_event_and_holds_its_stream(mongo: Any) -> None:
    events = [e for e in history(40, products=5, seed=17, tag="bg") if e.stream_type == "order"]
    streams = sorted({e.stream_id for e in events if e.version >= 3})[:3]
    bad = dict(zip(streams, ["raises", "unencodable", "too large"], strict=True))
    lot = ParkingLot(mongo)
    processor = BatchProcessor(mongo, _buggy(bad), lot=lot, dead_letters=DeadLetters(None, "-"))
    report = await processor.process([from_store(e) for e in events], "buggy_view")
    parked = await lot.items(projection="order_view", limit=1000)
    parked = [p for p in parked if p["collection"] == "buggy_view"]
    assert report.failed == 3 and report.parked == len(parked)
    for stream, kind in bad.items():
        queue = [p for p in parked if p["stream_id"] == stream]
        assert [p["version"] for p in queue] == [e.version for e in events if e.stream_id == stream and e.version >= 2]
        assert queue[0]["status"] == "failed" and [p["status"] for p in queue[1:]] == ["held"] * (len(queue) - 1)
        expected = {"raises": "KeyError", "unencodable": "InvalidDocument", "too large": "over MongoDB"}[kind]
        assert expected in queue[0]["error"], queue[0]["error"]
    have = {doc["_id"]: doc["version"] async for doc in mongo["buggy_view"].find({}, {"version": 1})}
    wanted = expected_versions(events)["order_view"]
    assert have == {k: (1 if k in bad else v) for k, v in wanted.items()}  # the others are current
