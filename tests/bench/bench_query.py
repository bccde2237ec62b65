"""Benchmark: `GET /v1/orders/{id}` at 64 connections against a plain hello endpoint
served by the same query-service process (same uvicorn settings: uvloop,
httptools, one worker, no access log), in the same run, 127.0.0.1 only.

Also measures, in the same run, the MongoDB stand-in's own `find_one` rate at 32
tasks and the CPU used by the query process and the MongoDB server during each
phase: that says what bounds the order read. Targets: at least 0.5x the hello
rate, p99 at most 15 ms. Prints its figure last; saves tests/bench/results/bench_query.json.

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

from tests.bench.load import cpu_seconds, listening_pid, run_load

RESULTS = Path(__file__).resolve().parent / "results"
MONGO_URL = os.environ.get("BAHI_MONGO_URL", f"mongodb://127.0.0.1:{os.environ.get('MONGO_PORT', '27017')}")
ORDERS = 2000


def serve(port: int, db: str) -> None:
    """The query service's own app, plus /hello, served exactly as `python -m query_service` does."""
    import uvicorn

    from query_service.app import create_app
    from query_service.settings import Settings

    app = create_app(Settings(mongo_url=MONGO_URL, mongo_db=db, port=port))

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, loop="uvloop", http="httptools")


async def seed(db: Any) -> list[str]:
    """Order views as the projector writes them (the real projection over real events)."""
    from projector_service.projections import PROJECTIONS
    from projector_service.runner import apply_batch
    from tests.unit.test_orders_projections import lifecycle
    from tests.unit.test_projections import stored

    ids = [f"ord-{uuid.uuid4().hex}" for _ in range(ORDERS)]
    events = [e for order_id in ids for e in stored(order_id, "order", lifecycle(order_id)[:4])]
    await apply_batch(db["order_view"], PROJECTIONS["order_view"], events)
    return ids


async def mongo_find_one_rate(db: Any, ids: list[str], tasks: int = 32, seconds: float = 3.0) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await db["order_view"].find_one({"_id": ids[(n * 7919 + done) % len(ids)]})
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(tasks)))
    return done / (time.perf_counter() - start)


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
    before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
    result = await run_load(port, paths, connections=args.connections, seconds=args.seconds)
    # CPU over the warm-up and the measured window: share of one core, per process.
    wall = args.seconds + 1.0
    cpu = {f"{name}_cpu_cores": round((cpu_seconds(pid) - before[name]) / wall, 2) for name, pid in pids.items() if pid}
    return {**result.summary(), **cpu, "statuses": result.statuses}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    name = f"bench_query_{uuid.uuid4().hex[:8]}"
    db = client[name]
    server: subprocess.Popen[bytes] | None = None
    try:
        ids = await seed(db)
        mongo_rate = await mongo_find_one_rate(db, ids)
        print(f"mongo stand-in find_one at 32 tasks: {mongo_rate:,.0f}/s", flush=True)
        port = int(args.port)
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.bench_query", "--serve", str(port), "--db", name],
            cwd=Path(__file__).resolve().parents[2],
        )
        wait_ready(f"http://127.0.0.1:{port}")
        pids = {"query": server.pid, "mongo": listening_pid(int(MONGO_URL.rsplit(":", 1)[1].split("/")[0]))}
        hello = await phase(port, ["/hello"], pids, args)
        print(f"hello:          {json.dumps(hello)}", flush=True)
        order = await phase(port, [f"/v1/orders/{i}" for i in ids], pids, args)
        print(f"GET order view: {json.dumps(order)}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await client.drop_database(name)
        await client.close()
    ratio = order["rate_per_s"] / hello["rate_per_s"] if hello["rate_per_s"] else 0.0
    bound = (
        "the MongoDB stand-in (its server uses about a whole core)"
        if order.get("mongo_cpu_cores", 0) >= 0.85
        else "the query process's CPU (FastAPI + pymongo per request)"
        if order.get("query_cpu_cores", 0) >= 0.85
        else "the machine: 2 shared cores split between driver, query process and MongoDB server"
    )
    return {
        "name": "bench_query",
        "when": datetime.now(UTC).isoformat(),
        "config": {"connections": args.connections, "seconds": args.seconds, "orders": ORDERS, "mongo": MONGO_URL},
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        "mongo_find_one_per_s_32_tasks": round(mongo_rate, 1),
        "hello": hello,
        "order": order,
        "ratio_to_hello": round(ratio, 3),
        "targets": {"ratio_ge_0.5": ratio >= 0.5, "p99_le_15ms": order["p99_ms"] <= 15},
        "bounded_by": bound,
    }


def cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", default="18702")
    parser.add_argument("--serve")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve), args.db)
        return
    import uvloop

    report = uvloop.run(main(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_query.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"bounded by: {report['bounded_by']}")
    print(f"results: {RESULTS / 'bench_query.json'}")
    order = report["order"]
    print(
        f"bench_query: GET /v1/orders/{{id}} {order['rate_per_s']:,.0f}/s = {report['ratio_to_hello']:.2f}x hello "
        f"({report['hello']['rate_per_s']:,.0f}/s), p99 {order['p99_ms']} ms at {report['config']['connections']} "
        f"connections (targets >= 0.5x, <= 15 ms)"
    )


if __name__ == "__main__":
    cli()
