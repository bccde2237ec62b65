"""Benchmark: the read side's capacity — the highest command rate whose views stay fresh.

The command service, relay, projector (every projection) and query service each run as
their own process on a fresh database, topic prefix and MongoDB database, as in
`bench_freshness`. The driver sends `POST /v1/orders` open loop at a rate raised in steps
of 25% (from 50 commands/s), each for `--step-seconds`, and after each 2xx reads the order
with its consistency token (freshness: 2xx -> the order view shows it). A step is held when
freshness p99 <= 500 ms, every command and read succeeded and the driver sent at >= 95% of
the rate. The search stops at the first step not held; the capacity is the last one held,
in commands/s and in events/s (every event on every topic the projector consumes).

Per step it reports the CPU share (1.0 = one core) of each part — projector, MongoDB
stand-in, command service, relay, query service, PostgreSQL, Kafka, the whole machine — so
a reader sees what bounds it; and, after the search, the raw bulk-write rate of the same
documents (the four order views as the projector wrote them, 500 per bulk, replaced by
`_id`) into the same stand-in.

`--compare REV` runs the same search first with the services of an older commit (a git
worktree under .local/bench-code/REV, same virtualenv), then with this checkout (or with
`--code REV2`'s): the ratio of the two capacities is the figure printed last.

    .venv/bin/python -m tests.bench.bench_capacity [--compare REV] [--step-seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient, ReplaceOne

from projector_service.rebuild.sources import partitions
from shared.streams import topic_for
from tests.bench.cpu import CpuMeter, infrastructure, process_seconds
from tests.bench.load import HttpPool
from tests.bench.order_load import ADDRESS, WARM_UP_SECONDS, create_products, drive
from tests.support import processes
from tests.support.infra import ROOT, fresh_infra

RESULTS = Path(__file__).resolve().parent / "results"
FIRST_RATE = float(os.environ.get("BENCH_FIRST_RATE", "50"))
STEP = 1.25
MAX_RATE = float(os.environ.get("BENCH_MAX_RATE", "4000"))
HELD_P99_MS = 500.0
ORDER_VIEWS = ("order_view", "customer_orders", "customer_summary", "order_search")
RAW_DOCS = 5000
RAW_BULK = 500
DRAIN_ORDERS = 6000
COMMERCE = {
    "order_view": ("order",),
    "customer_orders": ("order",),
    "customer_summary": ("order",),
    "order_search": ("order",),
    "product_view": ("product",),
}


@dataclass(frozen=True)
class Step:
    rate: float
    figures: dict[str, Any]
    events_per_s: float
    cpu: dict[str, float]
    behind: dict[str, int]
    """Events each commerce projection had not applied when the step's last read was answered."""

    @property
    def kept_up(self) -> bool:
        """Every projection within half a second of events (not only the order view read)."""
        return max(self.behind.values(), default=0) <= 0.5 * self.events_per_s

    @property
    def held(self) -> bool:
        f = self.figures
        return bool(
            self.kept_up
            and f["freshness"]["p99_ms"] <= HELD_P99_MS
            and f["failed_commands"] == 0
            and f["view_timeouts"] == 0
            and f["send_rate_per_s"] >= 0.95 * self.rate
        )

    def row(self) -> dict[str, Any]:
        fresh = self.figures["freshness"]
        return {
            "rate_per_s": round(self.rate, 1),
            "send_rate_per_s": self.figures["send_rate_per_s"],
            "events_per_s": round(self.events_per_s, 1),
            "freshness_p50_ms": fresh["p50_ms"],
            "freshness_p99_ms": fresh["p99_ms"],
            "command_p99_ms": self.figures["command_latency"]["p99_ms"],
            "failed_commands": self.figures["failed_commands"],
            "view_timeouts": self.figures["view_timeouts"],
            "behind": self.behind,
            "held": self.held,
            "cpu": self.cpu,
        }


def rates(first: float = FIRST_RATE, factor: float = STEP, top: float = MAX_RATE) -> list[float]:
    out = [first]
    while out[-1] * factor <= top:
        out.append(round(out[-1] * factor, 1))
    return out


def consumed(projector_url: str) -> float:
    """Events consumed so far, every projection's topics counted once (the busiest projection
    of each topic set stands for it: order_view for orders, product_view for products)."""
    text = httpx.get(f"{projector_url}/metrics", timeout=5).text
    by_projection: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "bahi_projector_events":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    by_projection[sample.labels["projection"]] = sample.value
    return by_projection.get("order_view", 0.0) + by_projection.get("product_view", 0.0)


def code_checkout(rev: str) -> Path:
    """A worktree of `rev` (created once); the services run from it with this virtualenv."""
    path = ROOT / ".local" / "bench-code" / rev
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True)
    return path


async def raw_bulk_rate(mongo_url: str, database: str) -> dict[str, Any]:
    """Docs/s of 500-document bulks replacing the order views' documents (as the projector
    wrote them) by `_id` into scratch collections of the same stand-in."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        db = client[database]
        docs = {name: [d async for d in db[name].find({}).limit(RAW_DOCS)] for name in ORDER_VIEWS}
        written, started = 0, time.perf_counter()
        for name, found in docs.items():
            scratch = db[f"rawbench_{name}"]
            for _ in range(2):  # inserts, then replaces of the same documents
                for start in range(0, len(found), RAW_BULK):
                    chunk = found[start : start + RAW_BULK]
                    await scratch.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk])
                    written += len(chunk)
        seconds = time.perf_counter() - started
        for name in ORDER_VIEWS:
            await db.drop_collection(f"rawbench_{name}")
        return {"documents": written, "seconds": round(seconds, 2), "docs_per_s": round(written / seconds, 1)}
    finally:
        await client.close()


def _type_of(topic: str) -> str:
    return topic.split(".")[-2]  # <prefix>.<stream type>.events


async def _group_offsets(admin: AIOKafkaAdminClient, tps: list[TopicPartition]) -> dict[str, int]:
    """Events applied so far by each commerce projection (committed offsets summed over its partitions)."""
    out = {}
    for name, types in COMMERCE.items():
        mine = [tp for tp in tps if _type_of(tp.topic) in types]
        committed = await admin.list_consumer_group_offsets(f"bahi.projector.{name}", partitions=mine)
        out[name] = sum(max(0, meta.offset) for meta in committed.values())
    return out


async def drain_rate(infra: Any, projector: processes.Service, cmd_port: int, skus: list[str]) -> dict[str, Any]:
    """The projector alone against a backlog: stopped, DRAIN_ORDERS orders placed, restarted; the
    events/s from its first committed batch until every commerce projection has applied all."""
    projector.stop()
    pool = await HttpPool(cmd_port, 32).open()
    try:

        async def place(i: int) -> None:
            body = {
                "customer_id": f"cust-{i % 500}",
                "items": [{"sku": skus[i % len(skus)], "quantity": 1}],
                "shipping_address": ADDRESS,
                "payment_method": "COD",
            }
            status, _, _ = await pool.request("POST", "/v1/orders", json.dumps(body).encode())
            assert status == 201, status

        for start in range(0, DRAIN_ORDERS, 32):
            await asyncio.gather(*(place(i) for i in range(start, min(start + 32, DRAIN_ORDERS))))
    finally:
        await pool.close()
    topics = {topic_for(t, infra.topic_prefix) for names in COMMERCE.values() for t in names}
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await consumer.start()
    await admin.start()
    try:
        tps = await partitions(admin, sorted(topics))
        stored = await _stored_events(infra.pg_dsn)
        deadline = time.monotonic() + 120
        while True:  # the relay has published the whole backlog
            end = await consumer.end_offsets(tps)
            if sum(end.values()) >= stored or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        target = {name: sum(end[tp] for tp in tps if _type_of(tp.topic) in types) for name, types in COMMERCE.items()}
        before = await _group_offsets(admin, tps)
        projector.start()
        pid = projector.process.pid if projector.process else 0
        stand_in = CpuMeter({"mongo_stand_in": infrastructure()["mongo_stand_in"]})
        profiler = _profile(pid)
        first: tuple[float, dict[str, int], float, dict[str, float]] | None = None
        while True:
            now = await _group_offsets(admin, tps)
            if first is None and now != before:
                first = (time.perf_counter(), now, process_seconds(pid), stand_in.read())
            if all(now[name] >= target[name] for name in COMMERCE):
                break
            if time.monotonic() > deadline + 300:
                raise TimeoutError(f"projector did not drain: {now} of {target}")
            await asyncio.sleep(0.05)
        assert first is not None, (before, target, now)
        seconds = time.perf_counter() - first[0]
        cpu = process_seconds(pid) - first[2]
        stand_in_cpu = CpuMeter.shares(first[3], stand_in.read(), seconds)
        # Every record is applied by every projection of its topic: count each (topic, projection) once.
        applied = sum(now[name] - first[1][name] for name in COMMERCE)
        order_events = now["order_view"] - first[1]["order_view"]
        product_events = now["product_view"] - first[1]["product_view"]
        await asyncio.to_thread(projector.wait_ready, 60)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=30)
    finally:
        await consumer.stop()
        await admin.close()
    return {
        "orders": DRAIN_ORDERS,
        "seconds": round(seconds, 2),
        "events_per_s": round((order_events + product_events) / seconds, 1),
        "applications_per_s": round(applied / seconds, 1),
        "projector_cpu_share": round(cpu / seconds, 2),
        "stand_in_cpu_share": stand_in_cpu["mongo_stand_in"],
        "machine_cpu_share": stand_in_cpu["machine"],
        "projector_cpu_ms_per_1000_events": round(cpu / max(1, order_events + product_events) * 1e6, 1),
    }


def _profile(pid: int) -> subprocess.Popen[bytes] | None:
    """py-spy on the draining projector when BENCH_PY_SPY names its output (a diagnosis aid)."""
    out = os.environ.get("BENCH_PY_SPY")
    if not out:
        return None
    spy = os.environ.get("BENCH_PY_SPY_BIN", "py-spy")
    return subprocess.Popen([spy, "record", "-p", str(pid), "-r", "200", "-f", "raw", "-o", out, "--nonblocking"])


async def _stored_events(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM bahi_events"))
    finally:
        await conn.close()


async def _behind(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> dict[str, int]:
    end = await consumer.end_offsets(tps)
    applied = await _group_offsets(admin, tps)
    return {
        name: sum(end[tp] for tp in tps if _type_of(tp.topic) in types) - applied[name]
        for name, types in COMMERCE.items()
    }


class Stack:
    """One deployment under load: its own database, topic prefix and MongoDB database, and its
    command, relay, projector and query processes (from one checkout), already warmed up."""

    def __init__(self, label: str, infra: Any, services: list[processes.Service], skus: list[str]) -> None:
        self.label, self.infra, self.services, self.skus = label, infra, services, skus
        by_name = {s.name: s for s in services}
        self.cmd, self.query, self.projector = by_name["command"].port, by_name["query"].port, by_name["projector"]
        self._admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka, group_id=None)
        self._tps: list[TopicPartition] = []
        self._meter = CpuMeter({})

    async def open(self) -> Stack:
        await self._admin.start()
        await self._consumer.start()
        topics = {topic_for(t, self.infra.topic_prefix) for types in COMMERCE.values() for t in types}
        self._tps = await partitions(self._admin, sorted(topics))
        groups = {s.name: [s.process.pid] for s in self.services if s.process is not None}
        self._meter = CpuMeter({**groups, **infrastructure()})
        return self

    async def close(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def step(self, rate: float, seconds: float) -> Step:
        cpu_before, events_before, started = self._meter.read(), consumed(self.projector.url), time.perf_counter()
        figures = await drive(self.cmd, self.query, rate, seconds, skus=self.skus)
        elapsed = time.perf_counter() - started
        cpu = CpuMeter.shares(cpu_before, self._meter.read(), elapsed)
        events = (consumed(self.projector.url) - events_before) / elapsed
        return Step(rate, figures, events, cpu, await _behind(self._admin, self._consumer, self._tps))

    async def drain(self) -> dict[str, Any]:
        return await drain_rate(self.infra, self.projector, self.cmd, self.skus)

    async def raw(self) -> dict[str, Any]:
        return await raw_bulk_rate(self.infra.mongo_url, self.infra.mongo_db)


def _show(stack: Stack, step: Step, attempt: int) -> None:
    cpu, f = step.cpu, step.figures
    print(
        f"  [{stack.label}] {step.rate:7.1f}/s: fresh p99 {f['freshness']['p99_ms']:8.1f} ms, "
        f"{step.events_per_s:7.1f} events/s, projector {cpu['projector']:.2f} "
        f"stand-in {cpu['mongo_stand_in']:.2f} machine {cpu['machine']:.2f} cores "
        f"{'held' if step.held else 'NOT HELD'}{'' if step.kept_up else ' (fell behind)'}"
        f"{' (second try)' if attempt == 2 else ''}",
        flush=True,
    )


async def find_capacity(stacks: list[Stack], step_seconds: float) -> dict[str, list[Step]]:
    """Every stack driven at each rate in turn (the order alternating from step to step, so a
    load from outside the run falls on all of them alike), each up to its first rate not held
    twice in a row (a second try keeps one stall from ending the search)."""
    steps: dict[str, list[Step]] = {s.label: [] for s in stacks}
    active = list(stacks)
    for index, rate in enumerate(rates()):
        for stack in list(active if index % 2 == 0 else reversed(active)):
            for attempt in (1, 2):
                step = await stack.step(rate, step_seconds)
                steps[stack.label].append(step)
                _show(stack, step, attempt)
                if step.held:
                    break
            if not steps[stack.label][-1].held:
                active.remove(stack)
        if not active:
            break
    return steps


def capacity_of(steps: list[Step]) -> Step | None:
    """The highest rate held."""
    held = [s for s in steps if s.held]
    return max(held, key=lambda s: s.rate) if held else None


@asynccontextmanager
async def deployed(label: str, code: Path) -> AsyncIterator[Stack]:
    async with fresh_infra(f"bench_cap_{uuid.uuid4().hex[:6]}") as infra:
        services = [
            processes.command(infra),
            processes.relay(infra),
            processes.projector(infra),
            processes.query(infra),
        ]
        for service in services:
            service.cwd = code
            service.start()
        try:
            for service in services:
                await asyncio.to_thread(service.wait_ready, 90)
            cmd, query = services[0].port, services[3].port
            skus = await create_products(cmd)
            await drive(cmd, query, FIRST_RATE * 2, WARM_UP_SECONDS, skus=skus)
            stack = await Stack(label, infra, services, skus).open()
            try:
                yield stack
            finally:
                await stack.close()
        finally:
            for service in services:
                service.stop()


def _run(stack: Stack, steps: list[Step], raw: dict[str, Any], drained: dict[str, Any]) -> dict[str, Any]:
    best = capacity_of(steps)
    return {
        "code": stack.label,
        "capacity_commands_per_s": best.figures["send_rate_per_s"] if best else 0.0,
        "capacity_events_per_s": round(best.events_per_s, 1) if best else 0.0,
        "at_capacity_cpu": best.cpu if best else {},
        "raw_bulk_write": raw,
        "projector_alone": drained,
        "steps": [s.row() for s in steps],
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    codes = [(args.compare, code_checkout(args.compare))] if args.compare else []
    codes.append((args.code, code_checkout(args.code)) if args.code else ("this checkout", ROOT))
    async with contextlib.AsyncExitStack() as exits:
        stacks = [await exits.enter_async_context(deployed(label, code)) for label, code in codes]
        steps = await find_capacity(stacks, args.step_seconds)
        raws, drains = {}, {}
        for stack in stacks:  # the projector alone, each in turn (the others idle)
            raws[stack.label] = await stack.raw()
            drains[stack.label] = await stack.drain()
            print(f"  [{stack.label}] projector alone on a backlog: {drains[stack.label]}", flush=True)
        runs = [_run(s, steps[s.label], raws[s.label], drains[s.label]) for s in stacks]
    report: dict[str, Any] = {
        "name": "bench_capacity",
        "when": datetime.now(UTC).isoformat(),
        "config": {"first_rate": FIRST_RATE, "step": STEP, "step_seconds": args.step_seconds, "held_p99_ms": 500},
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        "runs": runs,
        "targets": [],
    }
    if args.compare:
        old, new = runs[0]["capacity_commands_per_s"], runs[1]["capacity_commands_per_s"]
        ratio = new / old if old else float("inf")
        report["capacity_ratio"] = round(ratio, 2)
        alone = runs[1]["projector_alone"]["events_per_s"] / max(1.0, runs[0]["projector_alone"]["events_per_s"])
        report["projector_alone_ratio"] = round(alone, 2)
        report["targets"].append(
            {"label": f"capacity vs {args.compare}", "value": round(ratio, 2), "threshold": 2.0, "unit": "x"}
            | {"at_most": False, "met": ratio >= 2.0}
        )
    return report


def cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", help="an older commit to measure side by side (e.g. ba84c4f)")
    parser.add_argument("--code", help="run this commit's services instead of the checkout's (a worktree)")
    parser.add_argument("--step-seconds", type=float, default=8.0)
    args = parser.parse_args()
    import uvloop

    report = uvloop.run(main(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_capacity.json").write_text(json.dumps(report, indent=2) + "\n")
    for run in report["runs"]:
        print(
            f"{run['code']}: capacity {run['capacity_commands_per_s']:.0f} commands/s "
            f"({run['capacity_events_per_s']:.0f} events/s), CPU at capacity {run['at_capacity_cpu']}, "
            f"raw bulk writes {run['raw_bulk_write']['docs_per_s']:.0f} docs/s; alone on a backlog "
            f"{run['projector_alone']['events_per_s']:.0f} events/s "
            f"({run['projector_alone']['projector_cpu_ms_per_1000_events']:.0f} CPU ms per 1,000 events)"
        )
    print(f"results: {RESULTS / 'bench_capacity.json'}")
    last = report["runs"][-1]
    line = f"bench_capacity: {last['capacity_commands_per_s']:.0f} commands/s held at freshness p99 <= 500 ms"
    if "capacity_ratio" in report:
        line += (
            f", {report['capacity_ratio']:.2f}x {args.compare}'s {report['runs'][0]['capacity_commands_per_s']:.0f}"
            f" (the projector alone on a backlog: {report['projector_alone_ratio']:.2f}x)"
        )
    print(line + " (target >= 2x)" if "capacity_ratio" in report else line)


if __name__ == "__main__":
    cli()
