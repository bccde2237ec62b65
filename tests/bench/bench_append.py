"""Append throughput: 16 concurrent writers, one command (1 or 10 events) per append call.

Variants, interleaved in rounds in the same run (the machine is shared and noisy):

- bahi      PostgresEventStore.append as the command service runs it: each command a
            new stream (NO_STREAM) with its IdempotencyRecord, 1 or 10 events; concurrent
            commands are group-committed (`bahi_append_batch`: one transaction per batch of
            commands, each command with its own outcome; batches of up to ~80 events, side
            by side on several connections);
- single    the same without group commit: one `bahi_append` transaction per command;
- raw       asyncpg single INSERT statements into a table shaped like bahi_events
            (same columns and indexes), autocommit: 1 row, or 10 rows via unnest;
- es        the `eventsourcing` library's PostgreSQL module (Application.save of a new
            aggregate with one event), 16 threads, a pool of 16, its own database.

Variants alternate in short runs, several rounds; each variant's figure is the best of
its rounds (noise only slows a run down), the median is saved too.
Targets (issue 3): bahi 1 event/tx >= 10,000 events/s, >= 10x es, >= 0.5x raw;
bahi 10 events/tx >= 40,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import asyncpg

from command_service.event_store import NO_STREAM, AppendStream, IdempotencyRecord
from command_service.event_store.postgres import PostgresEventStore
from shared.envelope import NewEvent
from tests.bench.common import Report, Run, Timer, bahi_pool, fmt, fresh_database, run, run_for
from tests.bench.data import DATA, META_DICT, METADATA, RESPONSE

WRITERS = 16

_RAW_COLUMNS = "event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata"
_RAW_ONE = f"""INSERT INTO raw_events ({_RAW_COLUMNS})
              VALUES ($1, $2, 'order', 1, 'OrderPlaced', 1, $3, $4)"""
_RAW_MANY = f"""INSERT INTO raw_events ({_RAW_COLUMNS})
               SELECT u.id, $1, 'order', u.v, 'OrderPlaced', 1, u.d, u.m
               FROM unnest($2::uuid[], $3::bigint[], $4::jsonb[], $5::jsonb[]) AS u(id, v, d, m)"""


Step = Callable[[int, int], Awaitable[int]]


Store = PostgresEventStore


def bahi_step(store: Store, tag: str, per_tx: int) -> Step:
    async def step(w: int, i: int) -> int:
        stream_id = f"ord-{tag}-{w}-{i}"
        # The domain validated its events when it decided them: the store's cost starts here.
        events = [
            NewEvent.model_construct(
                event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data=DATA, metadata=METADATA
            )
            for _ in range(per_tx)
        ]
        key = f"idem-{stream_id}"
        await store.append(
            [AppendStream(stream_id, "order", NO_STREAM, events)],
            IdempotencyRecord(key, hashlib.sha256(key.encode()).hexdigest(), RESPONSE),
        )
        return per_tx

    return step


def raw_step(pool: asyncpg.Pool, tag: str, per_tx: int) -> Step:
    async def step(w: int, i: int) -> int:
        stream_id = f"ord-{tag}-{w}-{i}"
        if per_tx == 1:
            await pool.execute(_RAW_ONE, uuid4(), stream_id, DATA, META_DICT)
        else:
            await pool.execute(
                _RAW_MANY,
                stream_id,
                [uuid4() for _ in range(per_tx)],
                list(range(1, per_tx + 1)),
                [DATA] * per_tx,
                [META_DICT] * per_tx,
            )
        return per_tx

    return step


class EventsourcingRunner:
    """The `eventsourcing` library's Application on its PostgreSQL module, driven by threads."""

    def __init__(self, dsn: str, threads: int) -> None:
        from eventsourcing.application import Application
        from eventsourcing.domain import Aggregate, event

        class Order(Aggregate):
            @event("Placed")
            def __init__(self, data: dict[str, Any]) -> None:
                self.data = data

        class Orders(Application[Any]):
            pass

        database = dsn.rsplit("/", 1)[1]
        self._order = Order
        self._threads = threads
        self.app = Orders(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": database,
                "POSTGRES_HOST": "127.0.0.1",
                "POSTGRES_PORT": dsn.rsplit(":", 1)[1].split("/", 1)[0],
                "POSTGRES_USER": "bahi",
                "POSTGRES_PASSWORD": "",
                "POSTGRES_POOL_SIZE": str(threads),
                "POSTGRES_MAX_OVERFLOW": "0",
            }
        )

    def run(self, seconds: float) -> Run:
        counts = [0] * self._threads
        deadline = time.perf_counter() + seconds

        def worker(t: int) -> None:
            while time.perf_counter() < deadline:
                self.app.save(self._order(DATA))
                counts[t] += 1

        workers = [threading.Thread(target=worker, args=(t,)) for t in range(self._threads)]
        with Timer() as timer:
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
        return timer.run(sum(counts))

    def close(self) -> None:
        self.app.close()


def psycopg_impl() -> str:
    try:
        import psycopg

        return str(psycopg.pq.__impl__)
    except Exception as exc:  # the comparison is optional, the rest still runs
        return f"unavailable ({exc})"


async def main(args: argparse.Namespace) -> Report:
    report = Report(
        "bench_append",
        config={
            "writers": WRITERS,
            "seconds_per_run": args.seconds,
            "rounds": args.rounds,
            "loop": "uvloop (as the command service)",
            "psycopg_impl": psycopg_impl(),
        },
    )
    print(
        f"append: {WRITERS} writers, {args.rounds} rounds x {args.seconds}s per variant, "
        f"load average {os.getloadavg()[0]:.1f}, psycopg for eventsourcing: {report.config['psycopg_impl']}",
        flush=True,
    )
    async with (
        fresh_database("append") as dsn,
        fresh_database("append_es") as es_dsn,
    ):
        pool = await bahi_pool(dsn, WRITERS)
        es: EventsourcingRunner | None = None
        try:
            await pool.execute("CREATE TABLE raw_events (LIKE bahi_events INCLUDING ALL)")
            store = PostgresEventStore(pool)  # as the command service runs it: group commit on
            single = PostgresEventStore(pool, group_commit=False)  # one transaction per command
            if not args.no_es:
                try:
                    es = await asyncio.to_thread(EventsourcingRunner, es_dsn, WRITERS)
                except Exception as exc:
                    report.note(f"eventsourcing comparison unavailable: {exc!r}")

            stores: dict[str, Store] = {"bahi": store, "single": single}
            makers: dict[str, Callable[[str], Step]] = {}
            for n in (1, 10):
                makers[f"raw_{n}"] = lambda tag, n=n: raw_step(pool, tag, n)
                for kind, one in stores.items():
                    makers[f"{kind}_{n}"] = lambda tag, n=n, one=one: bahi_step(one, tag, n)
            order = ["raw_1", "bahi_1", "es_1", "single_1", "raw_10", "bahi_10", "single_10"]

            async def measure(name: str, tag: str) -> Run:
                if name == "es_1":
                    assert es is not None
                    return await asyncio.to_thread(es.run, args.seconds)
                return await run_for(args.seconds, WRITERS, makers[name](tag))

            if es is None:
                order.remove("es_1")
            # Warm-up: connections, prepared statements, plpgsql plans.
            for name, make in makers.items():
                await run_for(0.3, WRITERS, make(f"w{name}"))

            runs: dict[str, list[float]] = {}
            cpu: dict[str, list[float]] = {}
            for rnd in range(args.rounds):
                print(f"-- round {rnd + 1}", flush=True)
                for name in order:
                    result = await measure(name, f"r{rnd}{name}")
                    runs.setdefault(name, []).append(result.rate)
                    cpu.setdefault(name, []).append(result.cpu_us_per_item)
                    print(
                        f"   {name:<14} {fmt(result.rate):>8} events/s  ({result.count} events in "
                        f"{result.elapsed:.2f}s; this process's CPU {result.cpu_us_per_item:.0f} us/event)",
                        flush=True,
                    )
            best = {name: max(values) for name, values in runs.items()}
            median = {name: statistics.median(values) for name, values in runs.items()}
            least_cpu = {name: min(values) for name, values in cpu.items()}

            # Sanity: every append is in the store once, with its stream and idempotency record.
            events = await pool.fetchval("SELECT count(*) FROM bahi_events")
            keys = await pool.fetchval("SELECT count(*) FROM bahi_idempotency")
            streams = await pool.fetchval("SELECT count(*) FROM bahi_streams")
            report.figure("rows", {"bahi_events": events, "bahi_idempotency": keys, "bahi_streams": streams})
            assert keys == streams, (keys, streams)
        finally:
            if es is not None:
                es.close()
            await pool.close()

    report.figure("runs_events_per_s", runs)
    report.figure("best_events_per_s", best)
    report.figure("median_events_per_s", median)
    report.figure("cpu_us_per_event", least_cpu)
    print("\n== best of rounds, median of rounds (events/s), least CPU of this process per event")
    for key, value in best.items():
        print(f"   {key:<14} {fmt(value):>8} {fmt(median[key]):>8}   {least_cpu[key]:4.0f} us")
    b1, b10 = best["bahi_1"], best["bahi_10"]
    report.figure("bahi_vs_raw_1", b1 / best["raw_1"], f"   bahi/raw 1 ev/tx   {b1 / best['raw_1']:.2f}x")
    report.figure("bahi_vs_raw_10", b10 / best["raw_10"], f"   bahi/raw 10 ev/tx  {b10 / best['raw_10']:.2f}x")
    for n in (1, 10):
        ratio = best[f"single_{n}"] / best[f"raw_{n}"]
        report.figure(f"single_vs_raw_{n}", ratio, f"   without group commit, {n} ev/command: {ratio:.2f}x raw")
    report.target("bahi 1 event/tx", b1, 10_000)
    if "es_1" in best:
        report.figure("bahi_vs_es_1", b1 / best["es_1"], f"   bahi/eventsourcing 1 ev/tx {b1 / best['es_1']:.2f}x")
        report.target("bahi vs eventsourcing", b1 / best["es_1"], 10, "x")
    report.target("bahi vs raw asyncpg", b1 / best["raw_1"], 0.5, "x")
    report.target("bahi 10 events/tx", b10, 40_000)
    es_text = f", {b1 / best['es_1']:.1f}x eventsourcing" if "es_1" in best else ""
    report.finish(
        f"bahi 1 event/tx {fmt(b1)} events/s ({b1 / best['raw_1']:.2f}x raw asyncpg{es_text}); "
        f"10 events/tx {fmt(b10)} events/s"
    )
    return report


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1.0, help="duration of one run of one variant")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-es", action="store_true", help="skip the eventsourcing comparison")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    run(lambda: main(options), loop="uvloop")
