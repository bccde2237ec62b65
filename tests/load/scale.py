"""`python -m tests.load scale`: read-side scaling, shown. For each process count (1, 2, 4) the
query service runs as that many processes behind one port (`reuseport`: SO_REUSEPORT), the
read mix is driven open loop through rising rate steps (after 5 s of warm-up at the first
rate, not counted), and the capacity is the highest step
held — p99 under the threshold, achieved rate within 5% of the target, nothing dropped, under
0.1% errors — before the first step that was not. Writes scale.json, capacity.png and scale.html
beside each count's own report (n1/, n2/, n4/).

The query processes read the MongoDB of this environment (BAHI_MONGO_URL, BAHI_MONGO_DB) and
trust BAHI_AUTH_JWKS_FILE (default: the local key's JWKS, .local/auth/jwks.json)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.load import report, runner, tokens
from tests.load.dataset import Spec
from tests.load.http import Target
from tests.load.plan import Plan, parse_steps

ROOT = Path(__file__).resolve().parents[2]
MONGO_PORT = int(os.environ.get("MONGO_PORT", "27017"))
WARM_UP_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(count: int, port: int, key_dir: Path, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "BAHI_HOST": "127.0.0.1", "BAHI_PORT": str(port)}
    if not any(env.get(k) for k in ("BAHI_AUTH_JWKS_FILE", "BAHI_AUTH_JWKS_URL", "BAHI_AUTH_JWKS")):
        env["BAHI_AUTH_JWKS_FILE"] = str((key_dir / "jwks.json").resolve())
    log_dir.mkdir(parents=True, exist_ok=True)
    started = []
    for n in range(count):
        log = (log_dir / f"query-{n}.log").open("ab")
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.load.reuseport"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )
    deadline = time.monotonic() + 120
    while len(runner.listening_pids(port)) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in started):
            stop(started)
            raise RuntimeError(f"{count} query processes did not all listen on :{port} (logs in {log_dir})")
        time.sleep(0.2)
    return started


def stop(started: list[subprocess.Popen[bytes]]) -> None:
    for process in started:
        process.terminate()
    for process in started:
        process.wait(timeout=30)


def held(step: dict[str, Any], p99_ms: float) -> bool:
    return bool(
        step["count"] > 0
        and step["p99_ms"] < p99_ms
        and step["achieved_share"] >= 0.95
        and step["dropped"] == 0
        and step["error_share"] < 0.001
    )


def capacity_of(steps: list[dict[str, Any]], p99_ms: float) -> float:
    best = 0.0
    for step in steps:
        if not held(step, p99_ms):
            break
        best = step["target_per_s"]
    return best


def main(args: argparse.Namespace, spec: Spec) -> int:
    counts = [int(c) for c in args.counts.split(",")]
    steps = parse_steps(args.rate)
    seconds = sum(s for _, s in steps)
    auth = tokens.authorization(args.token, args.key_dir, seconds * len(counts) + 900)
    curve = []
    for count in counts:
        port = args.port or free_port()
        started = start(count, port, args.key_dir, args.out / "scale" / f"n{count}" / "logs")
        try:
            pids = runner.listening_pids(port) + runner.listening_pids(MONGO_PORT)
            # Warm-up, not counted: fresh processes open their MongoDB pools and first-use paths.
            warm = Plan(
                Target("127.0.0.1", port),
                "read-mix",
                ((steps[0][0], WARM_UP_SECONDS),),
                auth,
                spec,
                processes=args.processes,
                connections=args.connections,
            )
            runner.run(warm, progress=False)
            plan = Plan(
                Target("127.0.0.1", port),
                "read-mix",
                steps,
                auth,
                spec,
                processes=args.processes,
                connections=args.connections,
            )
            results = runner.run(plan, server_pids=pids)
        finally:
            stop(started)
        out = args.out / "scale" / f"n{count}"
        runner.save(results, out)
        analysis = report.write(results, out)
        capacity = capacity_of(analysis.steps, args.p99_ms)
        at = next((s for s in analysis.steps if s["target_per_s"] == capacity), None)
        mongo = [str(p) for p in runner.listening_pids(MONGO_PORT)]
        cpu = results["server_cpu_share"]
        curve.append(
            {
                "processes": count,
                "capacity_per_s": capacity,
                "p99_ms_at_capacity": at["p99_ms"] if at else None,
                "query_cpu_cores": round(sum(v for k, v in cpu.items() if k not in mongo), 2),
                "mongo_cpu_cores": round(sum(v for k, v in cpu.items() if k in mongo), 2),
                "driver_cpu": [d["cpu_share"] for d in results["driver"]["processes"]],
                "machine": results["machine"],
                "steps": analysis.steps,
            }
        )
        print(f"{count} process(es): held {capacity:g}/s (p99 < {args.p99_ms:g} ms)", flush=True)
    return _write(curve, args)


def _write(curve: list[dict[str, Any]], args: argparse.Namespace) -> int:
    from tests.load import plots

    out = args.out / "scale"
    plots.capacity(curve, args.p99_ms, out / "capacity.png")
    (out / "scale.json").write_text(json.dumps({"p99_ms": args.p99_ms, "rate": args.rate, "curve": curve}, indent=1))
    image = base64.b64encode((out / "capacity.png").read_bytes()).decode()
    rows = "".join(
        f"<tr><td>{c['processes']}</td><td>{c['capacity_per_s']:g}</td><td>{c['p99_ms_at_capacity']}</td>"
        f"<td>{c['query_cpu_cores']}</td><td>{c['mongo_cpu_cores']}</td><td>{c['machine']['load_before']}</td>"
        f'<td><a href="n{c["processes"]}/index.html">report</a></td></tr>'
        for c in curve
    )
    (out / "scale.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>Bahi read-side scaling</title><style>{report.STYLE}</style>"
        f"<h1>Read-side scaling: query-service processes behind one port (SO_REUSEPORT)</h1>"
        f'<img id="capacity" alt="capacity" src="data:image/png;base64,{image}">'
        f'<table id="curve"><tr><th>processes</th><th>held rate/s</th><th>p99 there (ms)</th>'
        f"<th>query CPU (cores)</th><th>MongoDB stand-in CPU (cores)</th><th>load before</th><th></th></tr>"
        f"{rows}</table>"
        f"{report.CHECK}"
    )
    print(f"capacity curve: {out / 'scale.html'}")
    return 0
