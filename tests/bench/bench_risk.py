"""The risk projection's throughput on the month scenario, against the order view's rebuild rate
in the same run.

The month of tests/support/risk_scenario.py (seeded; `--customers` ordinary customers, default
200, plus the planted patterns) is written through the command API (ASGI, in-memory store, the
test clock giving it a month of event time), then its events are published to fresh topics (3
partitions) as the relay would. Then, against the same Kafka and MongoDB stand-in:

- risk      `projector_service.rebuild.rebuild` of `risk_subject_view` (the code the CLI runs):
            a fresh consumer group from the earliest offset of the bank account, wallet and VPA
            topics, every event folded by the risk rules, up to the switch (events/s = events it
            consumed / seconds to switch: from earliest offset to caught up);
- baseline  the same for `order_view` over as many order events (tests/support/histories.py),
            in the same run.

Target (issue 14): risk events/s >= 0.5x the order view's. The figure is printed last.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine import Projection
from projector_service.rebuild import RebuildOptions, RebuildResult, rebuild
from projector_service.rebuild.sources import KafkaSource
from projector_service.registry import default_registry
from shared.cloudevents import to_kafka
from shared.contexts import catalog
from shared.envelope import EventEnvelope
from shared.kafka_admin import ensure_topics
from shared.risk.read_models import RISK_SUBJECT_VIEW
from shared.streams import topic_for
from shared.tuning import gc_tuned
from tests.bench.common import KAFKA, Report, Timer, fmt, unique_prefix
from tests.bench.common import run as run_bench
from tests.support.histories import history
from tests.support.risk import RiskWorld, api
from tests.support.risk_scenario import Generator, run

REGISTRY = default_registry()
MONGO_URL = os.environ.get("BAHI_MONGO_URL", f"mongodb://127.0.0.1:{os.environ.get('MONGO_PORT', '27017')}")


async def month_events(customers: int, seed: int) -> list[EventEnvelope]:
    world = RiskWorld()
    async with api(world) as client:
        scenario = await Generator(seed, ordinary=customers, wallets=customers // 4).setup(client, world.clock)
        await run(client, world.clock, scenario)
    return await world.store.read_all(0, 10_000_000)


def order_events(count: int) -> list[EventEnvelope]:
    events = [e for e in history(count // 4 + 100, products=200, seed=2026, tag="r") if e.stream_type == "order"]
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


async def rebuilt(db: Any, projection: Projection, prefix: str, batch: int) -> tuple[RebuildResult, Timer]:
    topics = [topic_for(t, prefix) for t in projection.stream_types]
    source = KafkaSource(KAFKA, topics, f"bench.risk.{uuid.uuid4().hex[:8]}")
    options = RebuildOptions(batch_max_records=batch, grace_seconds=3600)
    with gc_tuned(), Timer() as whole:
        result = await rebuild(
            db,
            projection,
            source,
            indexes=REGISTRY.indexes_for(projection),
            lot=ParkingLot(db),
            dead_letters=DeadLetters(None, "-"),
            options=options,
        )
    assert result.parked == 0, result
    return result, whole


async def main(args: argparse.Namespace) -> Report:
    report = Report("bench_risk", config={"customers": args.customers, "seed": args.seed, "mongo": MONGO_URL})
    with Timer() as written:
        events = await month_events(args.customers, args.seed)
    risk = REGISTRY.projections[RISK_SUBJECT_VIEW]
    fed = [e for e in events if e.stream_type in risk.stream_types]
    report.figure(
        "scenario_events", len(events), f"month written: {fmt(len(events))} events in {written.elapsed:.1f} s"
    )
    orders = order_events(len(fed))
    prefix = unique_prefix("rk")
    await ensure_topics(KAFKA, prefix, 3)
    await publish(prefix, [*events, *orders])
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    db = client[f"bench_risk_{uuid.uuid4().hex[:8]}"]
    try:
        base, _ = await rebuilt(db, REGISTRY.projections["order_view"], prefix, args.batch)
        base_rate = base.events / base.seconds_to_switch
        report.figure("order_view_events_per_s", base_rate)
        print(f"order_view  {fmt(base.events)} events: {base.seconds_to_switch:.2f} s, {fmt(base_rate)} events/s")
        result, whole = await rebuilt(db, risk, prefix, args.batch)
        risk_rate = result.events / result.seconds_to_switch
        alerts = await db[result.collection].count_documents({"alert_count": {"$gt": 0}})
        report.figure("risk_events_per_s", risk_rate)
        report.figure("risk_cpu_seconds", whole.cpu)
        report.figure("subjects_with_alerts", alerts)
        print(
            f"risk        {fmt(result.events)} events: {result.seconds_to_switch:.2f} s, {fmt(risk_rate)} events/s"
            f" ({alerts} subjects with alerts, {whole.cpu:.2f} s CPU here)"
        )
        ratio = risk_rate / base_rate
        report.figure("ratio_vs_order_view", ratio)
        report.note("the MongoDB stand-in (deploy/local/infra.sh: secantusd-rs by default) shares the 2 cores")
        report.target("risk events/s : order_view rebuild events/s", ratio, 0.5, unit="x")
    finally:
        await client.drop_database(db.name)
        await client.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
        await admin.start()
        try:
            await admin.delete_topics([topic_for(t, prefix) for t in catalog().stream_types])
        finally:
            await admin.close()
    report.finish(
        f"risk projection: {fmt(risk_rate)} events/s from earliest offset to caught up on the month scenario,"
        f" {ratio:.2f}x the order view's rebuild rate in the same run ({fmt(base_rate)} events/s)"
    )
    return report


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261101)
    parser.add_argument("--batch", type=int, default=RebuildOptions.batch_max_records, help="records per batch")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run_bench(lambda: main(parse()))
