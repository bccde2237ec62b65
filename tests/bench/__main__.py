"""`python -m tests.bench [NAME ...]` (what `make bench` runs): every benchmark module of
this package (tests/bench/bench_*.py), each in its own subprocess, then a summary.

Exit status: 0 when every benchmark ran, 1 when one failed or timed out. A missed
target is a finding, not an error: it is marked MISSED in the output and the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = HERE / "results"
FIRST = ("bench_append", "bench_feed", "bench_relay")
"""The event store's benchmarks run first; the others' follow in name order."""


@dataclass
class Outcome:
    name: str
    status: str = "not run"
    seconds: float = 0.0
    headline: str = ""
    targets: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def discover() -> list[str]:
    names = sorted(path.stem for path in HERE.glob("bench_*.py"))
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def run_one(name: str, timeout: float, extra: list[str]) -> Outcome:
    outcome = Outcome(name)
    print(f"\n{'=' * 20} {name} {'=' * 20}", flush=True)
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", f"tests.bench.{name}", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,  # its own process group: a timeout ends it and its children
    )
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, on_timeout)
    timer.start()
    try:
        assert proc.stdout is not None
        last = ""
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("HEADLINE"):
                outcome.headline = line.split(":", 1)[1].strip() if ":" in line else line.strip()
            elif line.strip():
                last = line.strip()
        code = proc.wait()
        # Each benchmark prints its headline figure last; ours also mark it HEADLINE.
        outcome.headline = outcome.headline or last
    finally:
        timer.cancel()
    outcome.seconds = time.time() - started
    if timed_out.is_set():
        outcome.status = f"TIMEOUT after {timeout:.0f}s"
    elif code != 0:
        outcome.status = f"FAILED (exit {code})"
    else:
        outcome.status = "ok"
    outcome.targets = _targets(name, started)
    return outcome


def _targets(name: str, since: float) -> list[dict[str, object]]:
    """Targets from the benchmark's JSON results, if it wrote them during this run."""
    path = RESULTS / f"{name}.json"
    if not path.exists() or path.stat().st_mtime < since:
        return []
    try:
        targets = json.loads(path.read_text()).get("targets", [])
    except (OSError, ValueError):
        return []
    return [t for t in targets if isinstance(t, dict)]


def summary(outcomes: list[Outcome]) -> None:
    print(f"\n{'=' * 20} summary {'=' * 20}")
    for outcome in outcomes:
        print(f"{outcome.name:<18} {outcome.status:<22} {outcome.seconds:6.1f}s  {outcome.headline}")
        for target in outcome.targets:
            mark = "ok" if target.get("met") else "MISSED"
            value, threshold = target.get("value"), target.get("threshold")
            bound = "<=" if target.get("at_most") else ">="
            if target.get("unit") == "x":
                shown = f"{value:.2f}x ({bound} {threshold:g}x)"
            else:
                digits = 1 if target.get("unit") == "ms" else 0
                shown = f"{value:,.{digits}f} {target.get('unit', '')} ({bound} {threshold:,.0f})"
            print(f"{'':<20}target {target.get('label')}: {shown} {mark}")
    missed = sum(1 for o in outcomes for t in o.targets if not t.get("met"))
    failed = [o.name for o in outcomes if not o.ok]
    print(
        f"\n{len(outcomes) - len(failed)} ran, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + f"; {missed} target(s) MISSED"
    )


def main(argv: list[str] | None = None) -> int:
    available = discover()
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(available)}")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a benchmark is killed")
    args, extra = parser.parse_known_args(argv)
    if args.list:
        print("\n".join(available))
        return 0
    names = [n if n.startswith("bench_") else f"bench_{n}" for n in args.names] or available
    unknown = [n for n in names if n not in available]
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(available)})")
    if extra and len(names) != 1:
        parser.error("extra options go to a single named benchmark")
    outcomes = [run_one(name, args.timeout, extra) for name in names]
    summary(outcomes)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
