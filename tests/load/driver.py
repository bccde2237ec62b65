"""One driver process: its own event loop (uvloop), its share of the run's schedule, keep-alive
connections opened as needed. Open loop: a request is due at its scheduled moment whatever
happened to the earlier ones, and its latency is counted from that moment — a server that stalls
shows the stall in every request that was due during it (no coordinated omission) instead of
lowering the rate. How late each send left (the driver's own delay) is kept apart."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict
from typing import Any

from hdrh.histogram import HdrHistogram

from tests.load import histograms
from tests.load.dataset import Dataset
from tests.load.http import Connection, request_bytes
from tests.load.plan import Plan, schedule
from tests.load.scenarios import Endpoint, Picker, Scenario

LATE_SECONDS = 0.010
"""A send that left more than this after its due moment is counted late (the driver fell behind)."""


class Tallies:
    def __init__(self, window: float) -> None:
        self.window = window
        self.latency: dict[tuple[str, int], HdrHistogram] = defaultdict(histograms.new)
        self.service: dict[str, HdrHistogram] = defaultdict(histograms.new)
        self.lag = histograms.new()
        self.statuses: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
        self.scheduled: Counter[int] = Counter()
        self.completed: Counter[int] = Counter()
        self.dropped: Counter[int] = Counter()
        self.late = 0
        self.errors: list[str] = []

    def window_of(self, t: float) -> int:
        return int(t // self.window)

    def note(self, endpoint: str, due: float, sent: float, done: float, status: str, t0: float) -> None:
        slot = self.window_of(due - t0)
        histograms.record(self.latency[(endpoint, slot)], done - due)
        histograms.record(self.service[endpoint], done - sent)
        self.statuses[(endpoint, slot)][status] += 1
        if status.isdigit():  # the server answered: a timeout or a broken connection is no throughput
            self.completed[self.window_of(done - t0)] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "latency": {f"{e}|{w}": histograms.encode(h) for (e, w), h in self.latency.items()},
            "service": {e: histograms.encode(h) for e, h in self.service.items()},
            "lag": histograms.encode(self.lag),
            "statuses": {f"{e}|{w}": dict(c) for (e, w), c in self.statuses.items()},
            "scheduled": dict(self.scheduled),
            "completed": dict(self.completed),
            "dropped": dict(self.dropped),
            "late": self.late,
            "errors": self.errors[:20],
        }


class Pool:
    """Idle keep-alive connections; a new one opened while fewer than `limit` exist."""

    def __init__(self, plan: Plan) -> None:
        self.plan, self.open_count, self.peak = plan, 0, 0
        self.idle: asyncio.Queue[Connection] = asyncio.Queue()

    async def acquire(self) -> Connection:
        if self.idle.empty() and self.open_count < self.plan.connections:
            self.open_count += 1
            self.peak = max(self.peak, self.open_count)
            try:
                return await Connection.open(self.plan.target)
            except BaseException:
                self.open_count -= 1
                raise
        return await self.idle.get()

    def release(self, conn: Connection, healthy: bool) -> None:
        if healthy:
            self.idle.put_nowait(conn)
        else:
            conn.close()
            self.open_count -= 1

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().close()


class Worker:
    def __init__(self, plan: Plan, process: int) -> None:
        self.plan, self.process = plan, process
        data = Dataset(plan.spec) if plan.spec is not None else None
        self.picker = Picker(Scenario.load(plan.scenario, plan.weights), data, seed=plan.seed * 1_000 + process)
        self.tallies = Tallies(plan.window)
        self.pool = Pool(plan)
        self.requests: dict[str, bytes] = {}

    async def warm(self, connections: int) -> None:
        """Open some connections before the clock starts (the rest open as the rate needs them)."""
        opened = [await self.pool.acquire() for _ in range(min(connections, self.plan.connections))]
        for conn in opened:
            self.pool.release(conn, True)

    async def exchange(self, endpoint: Endpoint, path: str, due: float, t0: float) -> None:
        tallies, plan = self.tallies, self.plan
        conn: Connection | None = None
        healthy, status, body = False, "error", b""
        sent = due
        try:
            async with asyncio.timeout(plan.timeout):
                conn = await self.pool.acquire()
                sent = time.perf_counter()
                histograms.record(tallies.lag, max(0.0, sent - due))
                if sent - due > LATE_SECONDS:
                    tallies.late += 1
                conn.send(request_bytes(plan.target, path, plan.authorization))
                code, body = await conn.response()
                status, healthy = str(code), True
        except TimeoutError:
            status = "timeout"
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            status = "connection"
            if len(tallies.errors) < 20:
                tallies.errors.append(f"{endpoint.name}: {type(exc).__name__}: {exc}")
        finally:
            if conn is not None:
                self.pool.release(conn, healthy)
        tallies.note(endpoint.name, due, sent, time.perf_counter(), status, t0)
        if endpoint.harvest and status == "200":
            self.picker.keep_cursor(endpoint, path, _next_cursor(body))

    async def run_open(self, t0: float) -> None:
        plan, tallies = self.plan, self.tallies
        pending: set[asyncio.Task[None]] = set()
        for offset in schedule(plan, self.process):
            due = t0 + offset
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slot = tallies.window_of(offset)
            tallies.scheduled[slot] += 1
            if len(pending) >= plan.backlog:
                tallies.dropped[slot] += 1
                continue
            endpoint, path = self.picker.draw()
            task = asyncio.create_task(self.exchange(endpoint, path, due, t0))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending, timeout=plan.timeout + 1)

    async def run_closed(self, t0: float) -> None:
        """Each connection: send, wait for the answer, send again — paced to at most the rate
        (a send overdue after a slow answer goes at once, as Locust's constant_throughput does).
        Every request due within the run is sent, however late the loop runs: a loop a few
        milliseconds behind at the end must not drop its last request (how late it runs follows
        the machine, and a count that did would too). A server too slow for the schedule stops
        the loop `timeout` seconds past the run's end."""
        plan = self.plan
        share = max(1, plan.connections)
        times = list(schedule(plan, self.process))
        end = t0 + plan.seconds + plan.timeout

        async def loop(n: int) -> None:
            mine = times[n::share]
            for offset in mine:
                due = t0 + offset
                now = time.perf_counter()
                if now >= end:
                    return
                if due > now:
                    await asyncio.sleep(due - now)
                self.tallies.scheduled[self.tallies.window_of(offset)] += 1
                endpoint, path = self.picker.draw()
                await self.exchange(endpoint, path, time.perf_counter(), t0)

        await asyncio.gather(*(loop(n) for n in range(share)))


def _next_cursor(body: bytes) -> str | None:
    marker = body.rfind(b'"next_cursor":')
    if marker < 0:
        return None
    rest = body[marker + 14 :].lstrip()
    if rest.startswith(b"null"):
        return None
    return rest[1 : rest.index(b'"', 1)].decode()


def work(plan: Plan, process: int, ready: Any, start: Any, results: Any) -> None:
    """A driver process's body (multiprocessing target): warm up, say ready, wait for the
    common start moment (CLOCK_MONOTONIC is the same clock in every process), run, send tallies."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()

    async def main() -> dict[str, Any]:
        worker = Worker(plan, process)
        try:
            await worker.warm(8 if plan.mode == "open" else plan.connections)
        except OSError as exc:
            return {"process": process, "fatal": f"cannot connect to {plan.target.url}: {exc}"}
        ready.put(process)
        t0 = await asyncio.get_running_loop().run_in_executor(None, start.get)
        cpu, wall = time.process_time(), time.perf_counter()
        await (worker.run_open(t0) if plan.mode == "open" else worker.run_closed(t0))
        out = {"process": process, **worker.tallies.as_dict()}
        out["cpu_seconds"] = time.process_time() - cpu
        out["wall_seconds"] = time.perf_counter() - wall
        out["connections_opened"] = worker.pool.peak
        worker.pool.close()
        return out

    try:
        results.put(asyncio.run(main()))
    except BaseException as exc:
        results.put({"process": process, "fatal": f"{type(exc).__name__}: {exc}"})
        raise
