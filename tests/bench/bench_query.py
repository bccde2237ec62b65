"""Benchmark: `GET /v1/orders/{id}` at 64 connections against a plain hello endpoint
served by the same query-service process (same uvicorn settings: uvloop,
httptools, one worker, no access log), in the same run, 127.0.0.1 only.

Also measures, in the same run, the MongoDB stand-in alone (`find_one` at 32 tasks,
and `$in` queries of 16 ids as the query service's coalescing loader sends them), and
the CPU used by the query process, the MongoDB server and this load driver during
each phase: that says what bounds the order read.

The fast path (`query_service.api.fast.FastReads`) is measured against the route it
bypasses in the same run: the same order reads, through a second query-service process
built with `fast_reads=False` (FastAPI's router answers them) on the next port, with the
same uvicorn settings, data, connections and duration. Targets: at least 0.5x the hello
rate, p99 at most 15 ms, the fast path at least 1.10x the routed rate. Prints its figure
last; saves tests/bench/results/bench_query.json.

    .venv/bin/python -m tests.bench.bench_query [--seconds 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from tests.bench.common import Target
from tests.bench.load import cpu_seconds, listening_pid, run_load

RESULTS = Path(__file__).resolve().parent / "results"
MONGO_URL = os.environ.get("BAHI_MONGO_URL", f"mongodb://127.0.0.1:{os.environ.get('MONGO_PORT', '27017')}")
ORDERS = 2000
FAST_PATH_TARGET = 1.10
"""The fast path stays only if it buys at least 10% over the routed read, in the same run."""


def serve(port: int, db: str, *, fast_reads: bool = True) -> None:
    """The query service's own app, plus /hello, served exactly as `python -m query_service` does.

    /hello is a FastAPI route (an APIRouter included into the app, behind the same middleware).
    The order read is answered as in production: a plain `GET /v1/orders/{id}` is served by
    `query_service.api.fast.FastReads` in front of FastAPI's router (same middleware outside
    it, same response as the route's), so hello pays FastAPI's routing and the order read
    does not. With `fast_reads=False` (the routed server) FastAPI's route answers it."""
    from fastapi import APIRouter

    from query_service.app import create_app
    from query_service.settings import Settings
    from shared.web import serve as serve_http

    app = create_app(Settings(mongo_url=MONGO_URL, mongo_db=db, port=port), fast_reads=fast_reads)
    router = APIRouter()

    @router.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    app.include_router(router)
    serve_http(app, host="127.0.0.1", port=port)


async def seed(db: Any) -> list[str]:
    """Order views as the projector writes them (the real projection over real events)."""
    from projector_service.engine.apply import apply_batch
    from projector_service.registry import default_registry
    from tests.support.views import lifecycle, stored

    ids = [f"ord-{uuid.uuid4().hex}" for _ in range(ORDERS)]
    events = [e for order_id in ids for e in stored(order_id, "order", lifecycle(order_id)[:4])]
    await apply_batch(db["order_view"], default_registry().projections["order_view"], events)
    return ids


async def mongo_read_rates(db: Any, ids: list[str], mongo_pid: int | None, seconds: float = 3.0) -> dict[str, Any]:
    """The stand-in alone: `find_one` at 32 tasks, and `$in` queries of 16 ids at 2 tasks (what the
    query service's loader sends under load); documents per second and server CPU per document."""

    async def measure(batch: int, tasks: int) -> dict[str, float]:
        done = 0
        stop = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            nonlocal done
            i = n * 7919
            while time.perf_counter() < stop:
                chunk = [ids[(i + j) % len(ids)] for j in range(batch)]
                if batch == 1:
                    await db["order_view"].find_one({"_id": chunk[0]})
                else:
                    await db["order_view"].find({"_id": {"$in": chunk}}).to_list()
                done += batch
                i += 13 * batch

        cpu = cpu_seconds(mongo_pid) if mongo_pid else 0.0
        start = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(tasks)))
        wall = time.perf_counter() - start
        out = {"docs_per_s": round(done / wall, 1)}
        if mongo_pid:
            used = cpu_seconds(mongo_pid) - cpu
            out |= {"server_cpu_cores": round(used / wall, 2), "server_cpu_us_per_doc": round(1e6 * used / done, 1)}
        return out

    return {"find_one_32_tasks": await measure(1, 32), "in_16_ids_2_tasks": await measure(16, 2)}


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready")


async def phase(port: int, paths: list[str], pids: dict[str, int | None], args: argparse.Namespace) -> dict[str, Any]:
    pids = {**pids, "driver": os.getpid()}
    before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
    result = await run_load(port, paths, connections=args.connections, seconds=args.seconds)
    # CPU over the warm-up and the measured window: share of one core, per process.
    wall = args.seconds + 1.0
    cpu = {f"{name}_cpu_cores": round((cpu_seconds(pid) - before[name]) / wall, 2) for name, pid in pids.items() if pid}
    per_request = round(1e6 * cpu["query_cpu_cores"] / result.rate) if result.rate else None
    return {**result.summary(), **cpu, "query_cpu_us_per_request": per_request, "statuses": result.statuses}


def batch_sizes(port: int) -> float | None:
    """Mean distinct ids per query the loader sent for the order view (its /metrics)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    found = dict.fromkeys(("sum", "count"), 0.0)
    for line in text.splitlines():
        for key in found:
            if line.startswith(f"bahi_query_read_batch_ids_{key}{{") and 'read_model="order_view"' in line:
                found[key] += float(line.rsplit(" ", 1)[1])
    return round(found["sum"] / found["count"], 1) if found["count"] else None


def verdict(hello: dict[str, Any], order: dict[str, Any], cpus: int) -> str:
    """What bounds the order read, from the CPU each process used during the order phase."""
    used = sum(order.get(f"{p}_cpu_cores", 0) for p in ("query", "mongo", "driver"))
    costs = (
        f"query process {order['query_cpu_us_per_request']} us CPU/request vs {hello['query_cpu_us_per_request']} "
        f"for hello; CPU cores used: query {order.get('query_cpu_cores')}, MongoDB stand-in "
        f"{order.get('mongo_cpu_cores')}, load driver {order.get('driver_cpu_cores')} (of {cpus}); "
        f"{order.get('ids_per_mongo_query')} order ids per MongoDB query"
    )
    if order.get("mongo_cpu_cores", 0) >= 0.85:
        return f"the MongoDB stand-in's CPU (one core: its server holds the GIL); {costs}"
    if order.get("query_cpu_cores", 0) >= 0.85:
        return f"the query process's CPU (one core; uvicorn + pymongo + pydantic per request); {costs}"
    if used >= 0.9 * cpus:
        return f"the machine: its {cpus} cores are shared by the driver, the query process and the stand-in; {costs}"
    return f"latency, not CPU (nothing saturated); {costs}"


def start_server(port: int, db: str, *, routed: bool) -> subprocess.Popen[bytes]:
    """A query-service process of its own (this module's --serve), same settings either way."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_query", "--serve", str(port), "--db", db]
        + (["--routed"] if routed else []),
        cwd=Path(__file__).resolve().parents[2],
    )


async def main(args: argparse.Namespace) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    name = f"bench_query_{uuid.uuid4().hex[:8]}"
    db = client[name]
    servers: list[subprocess.Popen[bytes]] = []
    try:
        ids = await seed(db)
        mongo_pid = listening_pid(int(MONGO_URL.rsplit(":", 1)[1].split("/")[0]))
        stand_in = await mongo_read_rates(db, ids, mongo_pid)
        print(f"mongo stand-in alone: {json.dumps(stand_in)}", flush=True)
        port = int(args.port)
        routed_port = int(args.routed_port) if args.routed_port else port + 1
        # Two processes of the same app, one with the fast path and one without, both up
        # before any phase: each phase loads one of them while the other sits idle.
        servers.append(server := start_server(port, name, routed=False))
        servers.append(routed_server := start_server(routed_port, name, routed=True))
        wait_ready(f"http://127.0.0.1:{port}")
        wait_ready(f"http://127.0.0.1:{routed_port}")
        pids = {"query": server.pid, "mongo": mongo_pid}
        hello = await phase(port, ["/hello"], pids, args)
        print(f"hello:          {json.dumps(hello)}", flush=True)
        order_paths = [f"/v1/orders/{i}" for i in ids]
        order = await phase(port, order_paths, pids, args)
        order["ids_per_mongo_query"] = batch_sizes(port)
        print(f"GET order view: {json.dumps(order)}", flush=True)
        routed = await phase(routed_port, order_paths, {"query": routed_server.pid, "mongo": mongo_pid}, args)
        routed["ids_per_mongo_query"] = batch_sizes(routed_port)
        print(f"routed (fast_reads=False): {json.dumps(routed)}", flush=True)
    finally:
        for running in servers:
            running.terminate()
        for running in servers:
            running.wait(timeout=30)
        await client.drop_database(name)
        await client.close()
    ratio = order["rate_per_s"] / hello["rate_per_s"] if hello["rate_per_s"] else 0.0
    fast_ratio = order["rate_per_s"] / routed["rate_per_s"] if routed["rate_per_s"] else 0.0
    fast_target = Target("fast path vs routed", fast_ratio, FAST_PATH_TARGET, "x")
    # Little's law: 64 closed-loop connections all under 15 ms means at least 64 / 0.015 requests/s.
    needed = args.connections / 0.015
    return {
        "name": "bench_query",
        "when": datetime.now(UTC).isoformat(),
        "config": {"connections": args.connections, "seconds": args.seconds, "orders": ORDERS, "mongo": MONGO_URL},
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        "mongo_stand_in": stand_in,
        "hello": hello,
        "order": order,
        "routed_order": routed,
        "ratio_to_hello": round(ratio, 3),
        "fast_path_vs_routed": round(fast_ratio, 3),
        "targets": [
            {"label": "order/hello rate", "value": ratio, "threshold": 0.5, "unit": "x", "met": ratio >= 0.5},
            {
                "label": "order p99",
                "value": order["p99_ms"],
                "threshold": 15,
                "unit": "ms",
                "at_most": True,
                "met": order["p99_ms"] <= 15,
            },
            {
                "label": fast_target.label,
                "value": fast_target.value,
                "threshold": fast_target.threshold,
                "unit": fast_target.unit,
                "met": fast_target.met,
            },
        ],
        "p99_le_15ms_needs": {
            "rate_per_s_at_least": round(needed),
            "stand_in_find_one_per_s": stand_in["find_one_32_tasks"]["docs_per_s"],
            "hello_rate_per_s": hello["rate_per_s"],
            "hello_p99_ms": hello["p99_ms"],
            "reachable_with_one_find_one_per_request": stand_in["find_one_32_tasks"]["docs_per_s"] >= needed,
            "reached_even_by_hello": hello["rate_per_s"] >= needed and hello["p99_ms"] <= 15,
        },
        "bounded_by": verdict(hello, order, os.cpu_count() or 1),
    }


def cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", default="18702")
    parser.add_argument("--routed-port", help="the fast_reads=False server's port (default: --port + 1)")
    parser.add_argument("--serve")
    parser.add_argument("--db")
    parser.add_argument("--routed", action="store_true", help="with --serve: the app with fast_reads=False")
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve), args.db, fast_reads=not args.routed)
        return
    import uvloop

    report = uvloop.run(main(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_query.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"bounded by: {report['bounded_by']}")
    need = report["p99_le_15ms_needs"]
    print(
        f"p99 <= 15 ms at {report['config']['connections']} closed-loop connections needs >= "
        f"{need['rate_per_s_at_least']:,}/s (Little's law); the stand-in's find_one alone does "
        f"{need['stand_in_find_one_per_s']:,.0f}/s; hello did {need['hello_rate_per_s']:,.0f}/s "
        f"at p99 {need['hello_p99_ms']} ms"
    )
    print(f"results: {RESULTS / 'bench_query.json'}")
    order, routed = report["order"], report["routed_order"]
    print(
        f"fast path: {order['rate_per_s']:,.0f}/s vs routed {routed['rate_per_s']:,.0f}/s = "
        f"{report['fast_path_vs_routed']:.2f}x (p99 {order['p99_ms']} ms vs {routed['p99_ms']} ms; query CPU "
        f"{order['query_cpu_us_per_request']} vs {routed['query_cpu_us_per_request']} us/request)"
    )
    fast = next(t for t in report["targets"] if t["label"] == "fast path vs routed")
    print(Target(fast["label"], fast["value"], fast["threshold"], fast["unit"]).line())
    print(
        f"bench_query: GET /v1/orders/{{id}} {order['rate_per_s']:,.0f}/s = {report['ratio_to_hello']:.2f}x hello "
        f"({report['hello']['rate_per_s']:,.0f}/s), p99 {order['p99_ms']} ms at {report['config']['connections']} "
        f"connections (targets >= 0.5x, <= 15 ms)"
    )


if __name__ == "__main__":
    cli()
