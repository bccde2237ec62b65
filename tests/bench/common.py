"""Shared helpers for the benchmarks: a fresh database per run, unique Kafka names,
timing, target checks and the JSON results writer (tests/bench/results/<name>.json).

The machine is shared and noisy: every benchmark compares against a baseline
measured in the same run, and every figure says how it was measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from command_service.event_store.postgres import create_schema, open_pool

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PG_PORT = os.environ.get("PGPORT", "5432")
PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_USER = os.environ.get("PGUSER", "bahi")
ADMIN_DSN = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
KAFKA = os.environ.get("BAHI_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")

T = TypeVar("T")


def run_id() -> str:
    return uuid.uuid4().hex[:8]


def dsn_for(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


@asynccontextmanager
async def fresh_database(tag: str) -> AsyncIterator[str]:
    """CREATE DATABASE bench_<tag>_<random> on the cluster; yields its DSN; dropped (FORCE) afterwards."""
    database = f"bench_{tag}_{run_id()}"
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    try:
        yield dsn_for(database)
    finally:
        conn = await asyncpg.connect(ADMIN_DSN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()


async def bahi_pool(dsn: str, size: int) -> asyncpg.Pool:
    """A pool configured as the command service configures it (jsonb via orjson), schema created."""
    pool = await open_pool(dsn, min_size=size, max_size=size)
    await create_schema(pool)
    return pool


def unique_prefix(tag: str) -> str:
    """A Kafka topic prefix nobody else uses (topics: <prefix>.<type>.events)."""
    return f"bench{tag}{run_id()}"


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def fmt(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Run:
    """One timed run: items handled, wall seconds, and this process's CPU seconds meanwhile."""

    count: int
    elapsed: float
    cpu: float

    @property
    def rate(self) -> float:
        return rate(self.count, self.elapsed)

    @property
    def cpu_us_per_item(self) -> float:
        return self.cpu / self.count * 1e6 if self.count else 0.0


class Timer:
    """Wall and process CPU time of a block: `with Timer() as t: ...; t.run(count)`."""

    def __enter__(self) -> Timer:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.elapsed = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu

    def run(self, count: int) -> Run:
        return Run(count, self.elapsed, self.cpu)


async def run_for(seconds: float, workers: int, step: Callable[[int, int], Awaitable[int]]) -> Run:
    """Run `workers` tasks, each calling step(worker, i) until the deadline.

    step returns how many items (events) it handled. Every task finishes the step it
    started, so the elapsed time covers every counted item."""
    counts = [0] * workers
    deadline = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            counts[w] += await step(w, i)
            i += 1

    with Timer() as timer:
        await asyncio.gather(*(worker(w) for w in range(workers)))
    return timer.run(sum(counts))


@dataclass
class Target:
    label: str
    value: float
    threshold: float
    unit: str

    @property
    def met(self) -> bool:
        return self.value >= self.threshold

    def line(self) -> str:
        mark = "ok" if self.met else "MISSED"
        if self.unit == "x":
            return f"  target {self.label}: {self.value:.2f}x (>= {self.threshold:g}x) {mark}"
        return f"  target {self.label}: {fmt(self.value)} {self.unit} (>= {fmt(self.threshold)}) {mark}"


@dataclass
class Report:
    """What a benchmark prints and saves: figures, targets and one headline (printed last)."""

    name: str
    config: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headline: str = ""
    load_at_start: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def figure(self, key: str, value: Any, text: str | None = None) -> None:
        self.figures[key] = value
        if text:
            print(text, flush=True)

    def target(self, label: str, value: float, threshold: float, unit: str = "events/s") -> Target:
        target = Target(label, value, threshold, unit)
        self.targets.append(target)
        return target

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def finish(self, headline: str) -> Path:
        self.headline = headline
        load = os.getloadavg()
        print(
            f"\n== {self.name}: targets (load average {self.load_at_start[0]:.1f} at start, {load[0]:.1f} at end,"
            f" {os.cpu_count()} cores: the machine is shared, compare ratios, not absolute figures)",
            flush=True,
        )
        for target in self.targets:
            print(target.line(), flush=True)
        path = self.save()
        print(f"  results: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        print(f"HEADLINE {self.name}: {headline}", flush=True)
        return path

    def save(self) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        payload = {
            "name": self.name,
            "when": datetime.now(UTC).isoformat(),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_at_start": self.load_at_start,
                "load_at_end": os.getloadavg(),
            },
            "config": self.config,
            "figures": self.figures,
            "targets": [
                {"label": t.label, "value": t.value, "threshold": t.threshold, "unit": t.unit, "met": t.met}
                for t in self.targets
            ],
            "notes": self.notes,
            "headline": self.headline,
        }
        path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        return path


def run(main: Callable[[], Coroutine[Any, Any, T]], *, loop: str = "asyncio") -> T:
    """Run a benchmark's coroutine on the event loop the measured service uses in production."""
    if loop == "uvloop":
        import uvloop

        return uvloop.run(main())
    return asyncio.run(main())
