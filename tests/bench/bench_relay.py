"""Relay throughput, PostgreSQL -> Kafka, against a raw aiokafka producer in the same run.

N events (default 100,000; realistic OrderPlaced payloads, 10 per stream, 3 partitions)
are appended first. Then, each on its own fresh topics:

- raw     one producer (the relay's settings: idempotent, acks=all) sends the very
          records the relay would send (same topic, key, value, headers, built before
          the clock starts) and awaits every acknowledgement;
- relay   the real command_service.relay.Relay + Publisher, from start until its
          checkpoint reaches the last committed position;
- proto_* prototypes of the relay loop (not the product), each one change at a time,
          from the same committed-feed query, with the same checkpoint rule (saved only
          after the broker acknowledged the batch) — see `proto_relay` and `Proto`;
          with --extra also the harness check (proto_loop) and variants of proto_all
          that measured no gain.

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
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from command_service.event_store.postgres import envelope, init_connection
from command_service.relay import Relay
from command_service.relay.publisher import Publisher, create_producer
from shared.cloudevents import to_kafka
from shared.contexts import catalog
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.bench.common import KAFKA, Report, Timer, bahi_pool, fmt, fresh_database, run, unique_prefix
from tests.bench.data import COMMITTED, populate
from tests.bench.proto_feed import gc_tuned
from tests.bench.proto_relay import (
    DIRECT,
    PARTITIONS,
    SOURCE,
    Proto,
    Record,
    proto_relay,
    record_from_row,
    started,
)


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
    """What the relay sends, built by the product's own functions: (stream type, key, value, headers)."""
    conn = await asyncpg.connect(dsn)
    try:
        await init_connection(conn)
        rows = await conn.fetch(COMMITTED, "0", 0, count)
    finally:
        await conn.close()
    records = []
    for row in rows:
        record = to_kafka(envelope(row), SOURCE)
        records.append((row["stream_type"], record.key, record.value, record.headers))
    return records


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
        with gc_tuned(), Timer() as t:
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


# --- prototypes ---------------------------------------------------------------------


PROTOTYPES: dict[str, Proto] = {
    "proto_gc": Proto(gc=True),
    "proto_direct": Proto(direct=True),
    "proto_send_batch": Proto(send_batch=True),
    "proto_window2": Proto(window=2),
    "proto_direct_gc": Proto(direct=True, gc=True),
    "proto_direct_batch_gc": Proto(direct=True, send_batch=True, gc=True),
    "proto_all": Proto(direct=True, send_batch=True, gc=True, window=2),
}
PROPOSAL = "proto_all"
EXTRA: dict[str, Proto] = {
    "proto_loop": Proto(),  # the product's loop in this harness, unchanged: is the harness fair?
    "proto_all_linger0": Proto(direct=True, send_batch=True, gc=True, window=2, linger_ms=0),
    "proto_all_10k": Proto(direct=True, send_batch=True, gc=True, window=2, batch_size=10_000),
    "proto_all_window4": Proto(direct=True, send_batch=True, gc=True, window=4),
}
"""With --extra: the harness check and the changes that measured no gain, kept to re-check."""


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
            # The prototype's records are the product's, byte for byte.
            expected = await product_records(dsn, 2000)
            direct = await pool.fetch(DIRECT, "0", 0, 2000)
            assert [record_from_row(row, SOURCE.encode()) for row in direct] == expected
            del expected, direct
        finally:
            await pool.close()
        print(f"relay: {args.events:,} events appended in {t.elapsed:.1f}s; {args.rounds} rounds", flush=True)

        plan: list[tuple[int, str, Callable[[str], Awaitable[Timer]]]] = []
        for rnd in range(1, args.rounds + 1):
            plan.append((rnd, "raw", lambda prefix: run_raw(dsn, prefix, args.events)))
            plan.append((rnd, "relay", lambda prefix: _relay_timer(dsn, prefix, last)))
            if args.no_prototypes:
                continue
            # The proposal every round, the single changes (and extras) in the first only.
            protos = {PROPOSAL: PROTOTYPES[PROPOSAL]}
            if rnd == 1:
                protos = PROTOTYPES | EXTRA if args.extra else PROTOTYPES
            plan.extend(
                (rnd, name, lambda prefix, proto=proto: proto_relay(dsn, prefix, last, proto))
                for name, proto in protos.items()
            )
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
    if PROPOSAL in best:
        report.figure(
            "proposal_vs_raw",
            best[PROPOSAL] / best["raw"],
            f"   {PROPOSAL} (direct rows -> records, send_batch per partition, gc tuned, 2 batches in flight): "
            f"{best[PROPOSAL] / best['raw']:.2f}x raw, {best[PROPOSAL] / best['relay']:.2f}x the relay",
        )
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
    parser.add_argument("--no-prototypes", action="store_true")
    parser.add_argument("--extra", action="store_true", help="also the harness check and the other prototypes")
    parser.add_argument("--profile", action="store_true", help="also profile one relay run (cProfile)")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="event loop (the relay runs asyncio's)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    run(lambda: main(options), loop=options.loop)
