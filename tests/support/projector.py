"""Helpers the projector's integration tests share: producing histories to Kafka as the relay
does, checksums of whole collections, the versions a history gives every document, waiting
for conditions with a deadline, running the CLI as its own process, and comparing the live
views with a from-scratch rebuild."""

from __future__ import annotations

import asyncio
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
from aiokafka import AIOKafkaProducer
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine import Projection
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import RebuildOptions, RebuildResult, rebuild
from projector_service.rebuild.sources import KafkaSource
from shared.cloudevents import to_kafka
from shared.envelope import EventEnvelope
from shared.streams import topic_for
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import expected_views
from tests.support.infra import ROOT, Infra
from tests.support.processes import service_env

REGISTRY = COMMERCE_REGISTRY
PROJECTIONS = REGISTRY.projections


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
