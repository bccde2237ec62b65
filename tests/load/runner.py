"""`python -m tests.load run`: the driver's processes started, warmed, released at one common
moment, their tallies gathered into one results document (results.json) that `report` reads.
It also watches the machine: every process's CPU (the driver's own, so a driver that was the
bottleneck says so), the machine's busy share and load average, and the CPU of the processes
listening on the target's port when the target is this machine."""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import re
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.load import driver
from tests.load.plan import Plan

DRIVER_BUSY = 0.85
"""A driver process using more than this share of a core was too busy to send on time."""


def _machine_busy() -> tuple[float, float]:
    with Path("/proc/stat").open() as stat:
        values = [float(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listening_pids(port: int) -> list[int]:
    """The processes listening on a local TCP port (several with SO_REUSEPORT)."""
    try:
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return []
    return sorted({int(pid) for pid in re.findall(r"pid=(\d+)", out)})


class MachineWatch(threading.Thread):
    """Samples the machine's busy share every second during the run."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self._stop = threading.Event()

    def run(self) -> None:
        busy, total = _machine_busy()
        while not self._stop.wait(1.0):
            now_busy, now_total = _machine_busy()
            if now_total > total:
                self.samples.append((now_busy - busy) / (now_total - total))
            busy, total = now_busy, now_total

    def stop(self) -> None:
        self._stop.set()


def run(plan: Plan, *, server_pids: list[int] | None = None, progress: bool = True) -> dict[str, Any]:
    # fork: a driver process starts in milliseconds with what this one imported (spawn re-imports
    # it all, seconds on a busy machine); each then runs an event loop of its own.
    context = multiprocessing.get_context("fork")
    ready, results = context.Queue(), context.Queue()
    starts = [context.Queue() for _ in range(plan.processes)]
    processes = [
        context.Process(target=driver.work, args=(plan, n, ready, starts[n], results), daemon=True)
        for n in range(plan.processes)
    ]
    for process in processes:
        process.start()
    gathered: list[dict[str, Any]] = []
    try:
        waiting = set(range(plan.processes))
        deadline = time.monotonic() + 120
        while waiting:
            try:
                waiting.discard(ready.get(timeout=0.5))
            except queue.Empty:
                while not results.empty():
                    fatal = results.get()
                    raise RuntimeError(f"driver process {fatal['process']}: {fatal.get('fatal')}") from None
                if time.monotonic() > deadline or any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("the driver's processes did not get ready") from None
        if server_pids is None and plan.target.host in {"127.0.0.1", "localhost"}:
            server_pids = listening_pids(plan.target.port)
        server_before = {pid: cpu_seconds(pid) for pid in server_pids or []}
        load_before = os.getloadavg()
        watch = MachineWatch()
        watch.start()
        t0 = time.perf_counter() + 0.3
        started_at = datetime.now(UTC)
        for start in starts:
            start.put(t0)
        if progress:
            print(
                f"driving {plan.target.url}: {len(plan.steps)} step(s), {plan.seconds:.0f} s, "
                f"{plan.processes} process(es), {plan.mode} loop",
                flush=True,
            )
        for _ in processes:
            item = results.get(timeout=plan.seconds + plan.timeout + 120)
            if "fatal" in item:
                raise RuntimeError(f"driver process {item['process']}: {item['fatal']}")
            gathered.append(item)
        wall = time.perf_counter() - t0
        watch.stop()
        server = {str(pid): round((cpu_seconds(pid) - before) / wall, 3) for pid, before in server_before.items()}
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    drivers = [
        {
            "process": g["process"],
            "cpu_share": round(g["cpu_seconds"] / max(g["wall_seconds"], 1e-9), 3),
            "connections_opened": g["connections_opened"],
        }
        for g in gathered
    ]
    return {
        "started_at": started_at.isoformat(),
        "plan": plan.as_dict(),
        "workers": gathered,
        "driver": {"processes": drivers, "busy": any(d["cpu_share"] > DRIVER_BUSY for d in drivers)},
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": [round(v, 2) for v in load_before],
            "load_after": [round(v, 2) for v in os.getloadavg()],
            "busy_share_mean": round(sum(watch.samples) / len(watch.samples), 3) if watch.samples else None,
        },
        "server_cpu_share": server,
    }


def save(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    path.write_text(json.dumps(results))
    return path
