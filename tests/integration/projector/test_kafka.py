"""The projector against real Kafka and the MongoDB stand-in: the same batch twice leaves
every view byte for byte the same; a bug in a projection, or a document MongoDB refuses,
parks the event and holds its stream."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine import Projection
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import Incoming, from_record, from_store
from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import Infra, fresh_infra
from tests.support.kafka import consume_until
from tests.support.projector import checksum, expected_versions, produce

REGISTRY = COMMERCE_REGISTRY
PROJECTIONS = REGISTRY.projections

pytestmark = [pytest.mark.integration]


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
