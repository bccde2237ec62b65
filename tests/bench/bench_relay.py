"""Relay throughput, PostgreSQL -> Kafka, against a raw aiokafka producer in the same run.

N events (default 100,000; realistic OrderPlaced payloads, 10 per stream, 3 partitions)
are appended first. Then, each on its own fresh topics:

- raw     one producer (the relay's settings: idempotent, acks=all) sends the very
          records the relay sends (CommittedFeed.next_records: same topic, key, value,
          headers, built before the clock starts) and awaits every acknowledgement;
- relay   the real command_service.relay.Relay + Publisher, from start until its
          checkpoint reaches the last committed position, with the collector tuned as
          the relay process runs it (command_service.relay.app.serve).

Every run checks the topics' end offsets add up to N. Target (issue 3): relay >= 30,000
events/s and >= 0.7x raw.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import pstats
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from command_service.event_store.postgres import init_connection
from command_service.relay import CommittedFeed, Relay
from command_service.relay.app import RELAY_GEN0
from command_service.relay.feed import Checkpoint
from command_service.relay.publisher import Publisher, create_producer
from shared.contexts import catalog
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from shared.tuning import gc_tuned
from tests.bench.common import KAFKA, Report, Timer, bahi_pool, fmt, fresh_database, run, unique_prefix
from tests.bench.data import populate

PARTITIONS = 3
SOURCE = "/bahi/command-service"
BATCH = 2000
"""The relay's default batch size."""

Record = tuple[str, bytes, bytes, list[tuple[str, bytes]]]
"""(stream type, key, value, headers)."""


@contextlib.asynccontextmanager
async def started(producer: AIOKafkaProducer) -> AsyncIterator[AIOKafkaProducer]:
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def end_offsets(prefix: str) -> int:
    """How many records our topics hold (fresh topics: the sum of end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA)
    await consumer.start()
    try:
        parts = [TopicPartition(topic_for(t, prefix), p) for t in catalog().stream_types for p in range(PARTITIONS)]
        offsets = await consumer.end_offsets(parts)
        return sum(offsets.values())
    finally:
        await consumer.stop()


async def drop_topics(prefixes: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        names = [topic_for(t, prefix) for prefix in prefixes for t in catalog().stream_types]
        for start in range(0, len(names), 50):
            await admin.delete_topics(names[start : start + 50])
    finally:
        await admin.close()


async def fresh_topics(tag: str) -> str:
    prefix = unique_prefix(tag)
    await ensure_topics(KAFKA, prefix, PARTITIONS)
    return prefix


async def product_records(dsn: str, count: int) -> list[Record]:
    """What the relay sends, read as the relay reads it (CommittedFeed.next_records)."""
    conn = await asyncpg.connect(dsn)
    records: list[Record] = []
    try:
        await init_connection(conn)
        feed = CommittedFeed(conn, "bench")
        after = Checkpoint()
        while len(records) < count and (batch := await feed.next_records(after, BATCH, SOURCE.encode())).records:
            records += [(stream_type, r.key, r.value, r.headers) for stream_type, r in batch.records]
            after = batch.end
    finally:
        await conn.close()
    return records[:count]


async def run_raw(dsn: str, prefix: str, count: int) -> Timer:
    records = await product_records(dsn, count)
    # The producer's input is ready-made and frozen: a streaming producer would not hold
    # 100,000 records, and the collector should not scan them during the run.
    gc.freeze()
    try:
        return await _send_all(records, prefix)
    finally:
        gc.unfreeze()


async def _send_all(records: Sequence[Record], prefix: str) -> Timer:
    async with started(create_producer(KAFKA)) as producer:
        # Metadata of the topic fetched before the clock starts, as the relay's warm producer has it.
        await producer.client._wait_on_metadata(topic_for("order", prefix))
        with Timer() as t:
            futures = [
                await producer.send(topic_for(stream_type, prefix), value=value, key=key, headers=headers)
                for stream_type, key, value, headers in records
            ]
            await asyncio.gather(*futures)
    return t


async def run_relay(
    dsn: str, prefix: str, last: int, *, profile: bool = False
) -> tuple[Timer, cProfile.Profile | None]:
    async with started(create_producer(KAFKA)) as producer:
        await producer.client._wait_on_metadata(topic_for("order", prefix))
        relay = Relay(dsn, Publisher(producer, prefix=prefix, source=SOURCE), name=prefix, poll_seconds=0.5)
        profiler = cProfile.Profile() if profile else None
        # The relay process runs with the collector tuned (command_service.relay.app.serve).
        with gc_tuned(RELAY_GEN0), Timer() as t:
            if profiler:
                profiler.enable()
            task = asyncio.create_task(relay.run())
            while relay.checkpoint.position < last:
                if task.done():
                    task.result()
                await asyncio.sleep(0.005)
            if profiler:
                profiler.disable()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return t, profiler


async def main(args: argparse.Namespace) -> Report:
    report = Report(
        "bench_relay" + ("" if args.loop == "asyncio" else f"_{args.loop}"),
        config={"events": args.events, "partitions": PARTITIONS, "loop": args.loop},
    )
    async with fresh_database("relay") as dsn:
        pool = await bahi_pool(dsn, 2)
        try:
            with Timer() as t:
                await populate(pool, args.events)
            last = await pool.fetchval("SELECT max(position) FROM bahi_events")
        finally:
            await pool.close()
        print(f"relay: {args.events:,} events appended in {t.elapsed:.1f}s; {args.rounds} rounds", flush=True)

        plan: list[tuple[int, str, Callable[[str], Awaitable[Timer]]]] = []
        for rnd in range(1, args.rounds + 1):
            plan.append((rnd, "raw", lambda prefix: run_raw(dsn, prefix, args.events)))
            plan.append((rnd, "relay", lambda prefix: _relay_timer(dsn, prefix, last)))
        # Fresh topics for every run, made up front: a partition's leader is not always
        # ready the instant the topic exists (NotLeaderForPartition, then a retry).
        prefixes: list[str] = []
        try:
            for _, name, _ in plan:
                prefixes.append(await fresh_topics(name.replace("_", "")))
            await asyncio.sleep(2.0)
            runs, cpu_us = await _measure(plan, prefixes, args.events)
            if args.profile:
                prefixes.append(await fresh_topics("profile"))
                _, profiler = await run_relay(dsn, prefixes[-1], last, profile=True)
                assert profiler is not None
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(16)
                print("\n== profile of one relay run (cProfile, by own time; the profiler slows it down)")
                print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[:4500])
        finally:
            await drop_topics(prefixes)  # each run wrote ~100 MB: do not leave them on the broker

    best = {name: max(values) for name, values in runs.items()}
    report.figure("runs_events_per_s", runs)
    report.figure("best_events_per_s", best)
    least_cpu = {name: min(values) for name, values in cpu_us.items()}
    report.figure("cpu_us_per_event", least_cpu)
    print("\n== best of rounds: events/s, and this process's CPU per event (least of rounds)")
    for name, value in best.items():
        print(
            f"   {name:<22} {fmt(value):>8}  ({value / best['raw']:.2f}x raw)  "
            f"{least_cpu[name]:5.1f} us/event ({least_cpu['raw'] / least_cpu[name]:.2f}x raw by CPU)"
        )
    ratio = best["relay"] / best["raw"]
    report.figure("relay_vs_raw", ratio)
    report.target("relay", best["relay"], 30_000)
    report.target("relay vs raw aiokafka", ratio, 0.7, "x")
    report.finish(f"relay {fmt(best['relay'])} events/s ({ratio:.2f}x raw aiokafka {fmt(best['raw'])})")
    return report


async def _measure(
    plan: list[tuple[int, str, Callable[[str], Awaitable[Timer]]]], prefixes: list[str], events: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    runs: dict[str, list[float]] = {}
    cpu_us: dict[str, list[float]] = {}
    for (rnd, name, go), prefix in zip(plan, prefixes, strict=True):
        if name == "raw":
            print(f"-- round {rnd}", flush=True)
        timer = await go(prefix)
        count = await end_offsets(prefix)
        assert count == events, (name, count)
        value = events / timer.elapsed
        cpu = timer.cpu / events * 1e6
        runs.setdefault(name, []).append(value)
        cpu_us.setdefault(name, []).append(cpu)
        print(
            f"   {name:<22} {fmt(value):>8} events/s  ({timer.elapsed:.2f}s, this process's CPU {cpu:.1f} us/event)",
            flush=True,
        )
    return runs, cpu_us


async def _relay_timer(dsn: str, prefix: str, last: int) -> Timer:
    timer, _ = await run_relay(dsn, prefix, last)
    return timer


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="also profile one relay run (cProfile)")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="event loop (the relay runs asyncio's)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    run(lambda: main(options), loop=options.loop)
