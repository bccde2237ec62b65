"""Rebuild rate of a projection, against the raw bulk_write rate of the same documents, in the same run.

N events (default 100,000) of realistic order lifecycles (placed, paid or COD, confirmed,
shipped, delivered; some cancelled or failed: ~4.6 events per order on the order stream,
interleaved across orders as commits interleave) are published to fresh topics
(3 partitions). Then, against the same MongoDB stand-in:

- rebuild   `projector_service.rebuild.rebuild` of `order_view` (the code the CLI runs):
            fresh consumer group from the earliest offset, batches, coalescing per
            document, version guards, a new versioned collection (its indexes built
            after the load), the next records decoded while a batch is written, up to
            the atomic switch of the pointer (events/s = N / seconds to switch);
- upsert    the same final documents (read back from the rebuilt collection), written
            with bulk_write(ReplaceOne(upsert=True)) in batches of 1,000: what a
            projector writing one document per event pays per write;
- insert    the same documents with bulk_write(InsertOne) into an empty collection:
            the cheapest write the stand-in has.

The ratio rebuild events/s : upsert docs/s is how much coalescing wins. The figure
depends on the MongoDB server: `secantusd-py` (the default stand-in) is much slower
than its Rust server or a real mongod; point BAHI_MONGO_URL at another to compare.
Target (issue 5): >= 20,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient, InsertOne, ReplaceOne

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.rebuild import RebuildOptions, rebuild
from projector_service.rebuild.sources import KafkaSource
from projector_service.registry import default_registry
from shared.cloudevents import to_kafka
from shared.contexts import catalog
from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from shared.tuning import gc_tuned
from tests.bench.common import KAFKA, RESULTS_DIR, Report, Timer, fmt, run, unique_prefix
from tests.support.histories import history

REGISTRY = default_registry()
PROJECTIONS = REGISTRY.projections

MONGO_URL = os.environ.get("BAHI_MONGO_URL", f"mongodb://127.0.0.1:{os.environ.get('MONGO_PORT', '27017')}")
PROJECTION = "order_view"
WRITE_BATCH = 1000


def order_events(count: int) -> list[EventEnvelope]:
    """The first `count` order-stream events of a long enough history (the last orders are in flight)."""
    events = [e for e in history(count // 4 + 100, products=200, seed=2026, tag="b") if e.stream_type == "order"]
    assert len(events) >= count, "history too short"
    return events[:count]


async def publish(prefix: str, events: list[EventEnvelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", enable_idempotence=True, linger_ms=10)
    await producer.start()
    try:
        for start in range(0, len(events), 5000):
            futures = []
            for env in events[start : start + 5000]:
                record = to_kafka(env, "/bahi/bench")
                topic = topic_for(env.stream_type, prefix)
                futures.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
            await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def write_rate(db: Any, docs: list[dict[str, Any]], *, upsert: bool) -> tuple[float, float]:
    """(docs/s, seconds) of bulk_write of `docs` into a fresh collection."""
    collection = db[f"raw_{'upsert' if upsert else 'insert'}_{uuid.uuid4().hex[:6]}"]
    with Timer() as timer:
        for start in range(0, len(docs), WRITE_BATCH):
            chunk = docs[start : start + WRITE_BATCH]
            ops: list[Any] = (
                [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk]
                if upsert
                else [InsertOne(d) for d in chunk]
            )
            await collection.bulk_write(ops, ordered=False)
    await collection.drop()
    return len(docs) / timer.elapsed, timer.elapsed


async def main(args: argparse.Namespace) -> Report:
    report = Report(
        "bench_rebuild",
        config={
            "events": args.events,
            "projection": PROJECTION,
            "batch": args.batch,
            "mongo": MONGO_URL,
            "kafka": KAFKA,
        },
    )
    prefix = unique_prefix("rb")
    events = order_events(args.events)
    orders = len({e.stream_id for e in events})
    report.figure(
        "orders", orders, f"{fmt(len(events))} events of {fmt(orders)} orders ({len(events) / orders:.2f} per order)"
    )
    await ensure_topics(KAFKA, prefix, 3)
    with Timer() as published:
        await publish(prefix, events)
    report.figure(
        "publish_seconds", published.elapsed, f"published to {prefix}.order.events in {published.elapsed:.1f} s"
    )

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db = client[f"bench_rebuild_{uuid.uuid4().hex[:8]}"]
    try:
        projection = PROJECTIONS[PROJECTION]
        source = KafkaSource(KAFKA, [topic_for("order", prefix)], f"bench.rebuild.{uuid.uuid4().hex[:8]}")
        options = RebuildOptions(batch_max_records=args.batch, grace_seconds=3600)
        with gc_tuned(), Timer() as whole:  # as `python -m projector_service rebuild` runs it
            result = await rebuild(
                db,
                projection,
                source,
                indexes=REGISTRY.indexes_for(projection),
                lot=ParkingLot(db),
                dead_letters=DeadLetters(None, "-"),
                options=options,
            )
        rebuild_rate = len(events) / result.seconds_to_switch
        assert result.events == len(events) and result.parked == 0, result
        docs = [doc async for doc in db[result.collection].find({})]
        report.figure("rebuild_events_per_s", rebuild_rate)
        report.figure("rebuild_seconds_to_switch", result.seconds_to_switch)
        report.figure("rebuild_seconds_total", whole.elapsed)
        report.figure("rebuild_cpu_seconds", whole.cpu)
        report.figure("documents", len(docs))
        print(
            f"rebuild  {fmt(len(events))} events -> {fmt(len(docs))} documents: {result.seconds_to_switch:.2f} s to"
            f" the switch ({whole.elapsed:.2f} s with set-up and handover, {whole.cpu:.2f} s CPU here):"
            f" {fmt(rebuild_rate)} events/s, {fmt(len(docs) / result.seconds_to_switch)} documents/s",
            flush=True,
        )
        upsert_rate, upsert_s = await write_rate(db, docs, upsert=True)
        insert_rate, insert_s = await write_rate(db, docs, upsert=False)
        report.figure(
            "upsert_docs_per_s",
            upsert_rate,
            f"upsert   {fmt(len(docs))} documents: {upsert_s:.2f} s, {fmt(upsert_rate)} docs/s",
        )
        report.figure(
            "insert_docs_per_s",
            insert_rate,
            f"insert   {fmt(len(docs))} documents: {insert_s:.2f} s, {fmt(insert_rate)} docs/s",
        )
        ratio_upsert, ratio_insert = rebuild_rate / upsert_rate, rebuild_rate / insert_rate
        report.figure("ratio_vs_upsert", ratio_upsert)
        report.figure("ratio_vs_insert", ratio_insert)
        print(f"ratio    rebuild events/s : upsert docs/s = {ratio_upsert:.2f}x; : insert docs/s = {ratio_insert:.2f}x")
        report.note("the MongoDB stand-in (deploy/local/infra.sh: secantusd-rs by default) shares the 2 cores")
        report.target("rebuild events/s", rebuild_rate, 20_000)
    finally:
        await client.drop_database(db.name)
        await client.close()
        await _delete_topics(prefix)
    path = report.finish(
        f"rebuild of {PROJECTION}: {fmt(rebuild_rate)} events/s from earliest offset to switch"
        f" ({fmt(len(events))} events, {ratio_upsert:.2f}x the raw upsert rate of the same documents,"
        f" {ratio_insert:.2f}x the raw insert rate)"
    )
    shutil.copyfile(path, RESULTS_DIR / "rebuild.json")
    return report


async def _delete_topics(prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.delete_topics([topic_for(t, prefix) for t in catalog().stream_types])
    finally:
        await admin.close()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=RebuildOptions.batch_max_records, help="records per batch")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run(lambda: main(parse()))
