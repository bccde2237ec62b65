"""Dead letters that keep order, against a projector process, Kafka and the MongoDB stand-in.

Two streams are poisoned mid-way: one with a record that is not a CloudEvent at
all (garbage value, a header that is not UTF-8), one with an event of a schema
version the code does not know yet. Each is parked with its successors; every
other stream stays current; the projector never stops. Then the operator skips
the garbage and redrives (the CLI), and redrives the other stream after the fix
(code that knows the new version): both streams come current, in order.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from projector_service.dead_letters.parking import FAILED, HELD, ParkingLot
from projector_service.dead_letters.redrive import redrive
from projector_service.read_models.pointers import live_collection, pending_drops, schedule_drop
from shared.cloudevents import to_kafka
from shared.events import EVENTS
from shared.kafka_admin import ensure_topics
from shared.read_models import POINTERS
from shared.streams import topic_for
from tests.support import processes
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import Infra, fresh_infra
from tests.support.kafka import consume_until, header
from tests.support.projector import cli, database, expected_versions, versions, wait_until

PROJECTIONS = COMMERCE_REGISTRY.projections

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GARBAGE_HEADERS = [("ce_specversion", b"1.0"), ("ce_type", b"\xff\xfe not utf-8")]


@pytest.fixture(scope="module")
async def poison_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_pp") as value:
        await ensure_topics(value.kafka, value.topic_prefix, 3)
        yield value


@pytest.fixture(scope="module")
async def poison_db(poison_infra: Infra) -> AsyncIterator[Any]:
    async with database(poison_infra) as db:
        yield db


@pytest.fixture(scope="module")
def projector(poison_infra: Infra) -> Iterator[processes.Service]:
    service = processes.projector(poison_infra)
    service.env["BAHI_STATUS_INTERVAL_SECONDS"] = "1"
    service.start().wait_ready()
    yield service
    service.stop()


async def test_poison_is_parked_with_its_stream_and_redriven_in_order(
    poison_infra: Infra, projector: processes.Service, poison_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    infra, mongo = poison_infra, poison_db
    events = history(40, products=8, seed=21, tag="po")
    by_stream: dict[str, list[Any]] = {}
    for env in events:
        if env.stream_type == "order":
            by_stream.setdefault(env.stream_id, []).append(env)
    garbage_stream, newer_stream = [s for s, envs in by_stream.items() if len(envs) >= 4][:2]
    after_garbage = by_stream[garbage_stream][1]  # the garbage comes after its 2nd event
    newer = by_stream[newer_stream][1]  # its 2nd event is of a schema version this code does not know
    newer_schema = EVENTS.current_schema_version(newer.event_type) + 1

    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for env in events:
            sent = env.model_copy(update={"schema_version": newer_schema}) if env == newer else env
            record = to_kafka(sent, "/bahi/test")
            topic = topic_for(env.stream_type, infra.topic_prefix)
            await producer.send_and_wait(topic, record.value, key=record.key, headers=record.headers)
            if env == after_garbage:
                await producer.send_and_wait(
                    topic, b"\xff{not json", key=garbage_stream.encode(), headers=GARBAGE_HEADERS
                )
    finally:
        await producer.stop()

    # Everything but the two streams' tails is applied, in every projection, including the product streams
    # those orders touched; the two streams stop right before their poison.
    parked_tail = {garbage_stream: 2, newer_stream: 1}
    flowing = [e for e in events if e.version <= parked_tail.get(e.stream_id, e.version)]
    wanted = expected_versions(flowing)

    differ: dict[str, list[tuple[str, int | None, int | None]]] = {}

    async def others_current() -> bool:
        for name, p in PROJECTIONS.items():
            have = await versions(mongo, p)
            keys = sorted(set(have) | set(wanted[name]))
            differ[name] = [(k, have.get(k), wanted[name].get(k)) for k in keys if have.get(k) != wanted[name].get(k)]
        return not any(differ.values())

    await wait_until(others_current, timeout=60, what=lambda: f"every stream but the poisoned ones current: {differ}")

    # Parked in order: the failure first, its successors held behind it.
    listed = cli(infra, "parked", "list", "--projection", "order_view", "--json")
    assert listed.returncode == 0, listed.stderr
    parked = json.loads(listed.stdout)
    garbage_queue = [p for p in parked if p["stream_id"] == garbage_stream]
    newer_queue = [p for p in parked if p["stream_id"] == newer_stream]
    assert [p["status"] for p in garbage_queue] == [FAILED] + [HELD] * (len(by_stream[garbage_stream]) - 2)
    assert garbage_queue[0]["event_type"] is None and "not a Bahi CloudEvent" in garbage_queue[0]["error"]
    assert [p["version"] for p in garbage_queue[1:]] == list(range(3, len(by_stream[garbage_stream]) + 1))
    assert [p["status"] for p in newer_queue] == [FAILED] + [HELD] * (len(by_stream[newer_stream]) - 2)
    assert "newer than this code" in newer_queue[0]["error"]
    assert [p["version"] for p in newer_queue] == list(range(2, len(by_stream[newer_stream]) + 1))

    # The dead-letter topic has them too, with the error and the original coordinates and headers.
    dlq = await consume_until(infra.kafka, [f"{infra.topic_prefix}.dlq"], lambda rs: len(rs) >= len(parked))
    garbage_letter = next(
        r for r in dlq if header(r, "bahi_dlq_projection") == "order_view" and r.value == b"\xff{not json"
    )
    assert header(garbage_letter, "bahi_dlq_status") == FAILED
    assert header(garbage_letter, "bahi_dlq_topic") == topic_for("order", infra.topic_prefix)
    assert int(header(garbage_letter, "bahi_dlq_offset") or -1) == garbage_queue[0]["offset"]
    assert (
        garbage_letter.key == garbage_stream.encode() and ("ce_type", b"\xff\xfe not utf-8") in garbage_letter.headers
    )

    # Status: nothing lags (parked events are consumed), the parked are counted; same on /metrics.
    status = cli(infra, "status", "--json")
    assert status.returncode == 0, status.stderr
    order_view = next(s for s in json.loads(status.stdout) if s["projection"] == "order_view")
    assert len(order_view["partitions"]) == 3 and order_view["parked"] == len(parked)
    assert sum(p["lag"] for p in order_view["partitions"]) == 0
    assert sum(p["committed"] for p in order_view["partitions"]) == sum(p["end"] for p in order_view["partitions"])

    async def metrics_show_parked() -> bool:
        text = httpx.get(f"{projector.url}/metrics").text
        topic = topic_for("order", infra.topic_prefix)
        lag = f'bahi_projector_lag_events{{partition="0",projection="order_view",topic="{topic}"}} 0.0'
        return f'bahi_projector_parked_events{{projection="order_view"}} {float(len(parked))}' in text and lag in text

    await wait_until(metrics_show_parked, timeout=15, what="parked gauge on /metrics")

    # The operator skips the garbage and redrives the rest (CLI), for every projection.
    for name in PROJECTIONS:
        if "order" not in PROJECTIONS[name].stream_types:
            continue
        skipped = cli(infra, "parked", "skip", name, "--stream", garbage_stream)
        assert skipped.returncode == 0, skipped.stderr
        redriven = cli(infra, "parked", "redrive", name, "--stream", garbage_stream)
        assert redriven.returncode == 0 and "flowing" in redriven.stdout, redriven.stdout + redriven.stderr

    # The newer event still fails under the old code: a redrive leaves it parked, in order.
    lot = ParkingLot(mongo)
    view = PROJECTIONS["order_view"]
    [still] = await redrive(mongo, view, lot, await live_collection(mongo, view.collection), newer_stream)
    assert still.applied == 0 and still.still_parked == len(newer_queue)

    # The fix: code that reads the new schema version. The redrive applies the stream in order.
    current = EVENTS.current_schema_version
    monkeypatch.setattr(
        EVENTS, "current_schema_version", lambda t: newer_schema if t == newer.event_type else current(t)
    )
    monkeypatch.setitem(EVENTS.upcasters, (newer.event_type, newer_schema - 1), lambda data: data)
    for projection in PROJECTIONS.values():
        if "order" in projection.stream_types:
            collection = await live_collection(mongo, projection.collection)
            [done] = await redrive(mongo, projection, lot, collection, newer_stream)
            assert done.still_parked == 0 and done.applied == len(newer_queue)

    everything = expected_versions(events)
    for name, projection in PROJECTIONS.items():
        assert await versions(mongo, projection) == everything[name], name
    order = await mongo[await live_collection(mongo, "order_view")].find_one({"_id": newer_stream})
    assert [step["event"] for step in order["timeline"]] == [e.event_type for e in by_stream[newer_stream]]
    assert await lot.items() == []
    assert projector.process is not None and projector.process.poll() is None  # it never stopped
    assert "bahi_projector_batch_failures_total{" not in httpx.get(f"{projector.url}/metrics").text


async def test_the_running_projector_drops_retired_collections_after_their_grace(
    projector: processes.Service, poison_db: Any
) -> None:
    db = poison_db
    await db["retired_view__v1"].insert_one({"_id": "x"})
    await db["still_live__v2"].insert_one({"_id": "y"})
    await db[POINTERS].insert_one({"_id": "still_live", "collection": "still_live__v2"})
    await schedule_drop(db, "retired_view__v1", "retired_view", grace_seconds=0)
    await schedule_drop(db, "still_live__v2", "still_live", grace_seconds=0)  # a mistake: it is live

    async def dropped() -> bool:
        return "retired_view__v1" not in await db.list_collection_names() and not await pending_drops(db)

    await wait_until(dropped, timeout=20, what="the retired collection dropped by the projector")
    assert "still_live__v2" in await db.list_collection_names()  # never drops what a pointer names
