"""`python -m tests.load calibrate`: the harness checking itself for coordinated omission on
this machine. It starts the stall server (`stub`: a 50 ms freeze every 200th request), drives it
open loop at a modest rate and then closed loop (one connection, paced to the same rate, as
Locust's constant_throughput paces), and compares the two p99s: the open loop counts every
request that was due during a freeze from its due moment; the closed loop sent nothing during
the freeze, so only the request that met it is slow — 1 in 200, under its p99. (At 1 in 100,
the 10 slow requests of 1,000 sit exactly at the p99's rank, and one hiccup of a busy machine
puts a slow one there: a CI run beside a chaos run did.)"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.load import runner
from tests.load.analysis import analyse
from tests.load.http import Target
from tests.load.plan import Plan

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def stall_server(every: int = 200, stall_ms: float = 50.0) -> Iterator[Target]:
    """The stub in its own process (its freeze must not freeze the driver), on a free port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.load", "stub", "--stall-every", str(every), "--stall-ms", str(stall_ms)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the stall server did not start: {line!r}")
        yield Target("127.0.0.1", int(line.split()[-1]))
    finally:
        process.terminate()
        process.wait(timeout=30)


def calibrate(
    rate: float = 200.0, seconds: float = 5.0, *, every: int = 200, stall_ms: float = 50.0, processes: int = 1
) -> dict[str, Any]:
    with stall_server(every, stall_ms) as target:
        open_plan = Plan(target, "calibrate", ((rate, seconds),), processes=processes, connections=64)
        opened = runner.run(open_plan, progress=False)
        closed_plan = Plan(target, "calibrate", ((rate, seconds),), processes=1, connections=1, mode="closed")
        closed = runner.run(closed_plan, progress=False)
    open_a, closed_a = analyse(opened), analyse(closed)
    return {
        "stall": {"every": every, "ms": stall_ms},
        "open": {k: open_a.overall[k] for k in ("count", "p50_ms", "p99_ms", "p99.9_ms", "max_ms", "achieved_per_s")},
        "closed": {
            k: closed_a.overall[k] for k in ("count", "p50_ms", "p99_ms", "p99.9_ms", "max_ms", "achieved_per_s")
        },
        "open_results": opened,
        "closed_results": closed,
    }
