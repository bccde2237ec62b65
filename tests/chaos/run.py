"""One chaos run: a private PostgreSQL, Kafka and MongoDB stand-in (`tests.support.chaos_infra`),
the five service processes on them (command service, relay, projector, process managers, query
service), the mixed load through them, and the kills (`tests.chaos.monkey`) until every component
was killed `kills_each` times; then the load stops, everything catches up and the end checks
run (`tests.chaos.verify`). Returns the report (`tests.chaos.report`), saved as JSON too."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import httpx

from tests.chaos import report as reports
from tests.chaos.client import Client, ClientLog
from tests.chaos.components import Component, supervise
from tests.chaos.load import Workload
from tests.chaos.monkey import Monkey
from tests.chaos.settings import ChaosSettings
from tests.chaos.verdict import failures
from tests.chaos.verify import preload, settle, verify
from tests.support import processes
from tests.support.chaos_infra import private_infra
from tests.support.infra import ROOT
from tests.support.wallet_http import runner

CHAOS_DIR = ROOT / ".local" / "chaos"
PACKAGES = ("shared", "command_service", "projector_service", "query_service")
IMPORTS = """
from command_service.handling import default_registry as commands
from projector_service.registry import default_registry as projections
from query_service.registry import default_registry as queries
import command_service.__main__, command_service.relay.__main__, command_service.sagas.__main__
import projector_service.__main__, query_service.__main__
commands(); projections(); queries()
"""
SNAPSHOT_SECONDS = 300.0


def snapshot_code(target: Path) -> Path:
    """The services' packages copied to `target`, which every restart runs from: one version of
    the code for the whole run, whatever happens to the working tree meanwhile. Copied again (for
    up to SNAPSHOT_SECONDS) while the copy does not import: a tree caught in the middle of an edit."""
    deadline = time.monotonic() + SNAPSHOT_SECONDS
    while True:
        shutil.rmtree(target, ignore_errors=True)
        for package in PACKAGES:
            shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "PYTHONPATH": str(target)}
        check = subprocess.run([sys.executable, "-c", IMPORTS], cwd=target, env=env, capture_output=True, text=True)
        if check.returncode == 0:
            return target
        if time.monotonic() > deadline:
            raise RuntimeError(f"the working tree did not import for {SNAPSHOT_SECONDS:.0f}s: {check.stderr[-2000:]}")
        time.sleep(5.0)  # an edit in progress elsewhere: copy again once it may be done


@dataclass
class LoggedService(processes.Service):
    """A service whose log goes to the run's own directory (beside the servers' logs)."""

    log_dir: Path = processes.LOGS

    def start(self) -> LoggedService:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"{self.name}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self


def _logged(service: processes.Service, directory: Path, code: Path) -> LoggedService:
    logged = LoggedService(**{f.name: getattr(service, f.name) for f in fields(service)}, log_dir=directory)
    logged.cwd = code
    logged.env = {**logged.env, "PYTHONPATH": str(code)}
    return logged


def _services(infra: Any, logs: Path, code: Path) -> dict[str, LoggedService]:
    slow_payments = {"BAHI_PAYMENT_TIMEOUT_SECONDS": "86400"}  # only failed payments cancel, however long an outage
    projector = processes.projector(
        infra,
        BAHI_PROJECTOR_INSTANCE_ID="chaos",  # static membership: a restarted projector takes its partitions back
        # Static membership makes a restarted projector take its partitions back at once, so a
        # long session costs the suite nothing. A short one did: a long run's projector, one process
        # with 20 groups catching up on a loaded machine, held its event loop past a 6 s session,
        # every group expired at once, rejoined, redid its batch and expired again (a rebalance
        # loop that lasted until the suite gave up, 2026-12-02).
        BAHI_KAFKA_SESSION_TIMEOUT_MS="30000",
        BAHI_KAFKA_HEARTBEAT_INTERVAL_MS="3000",
    )
    services = {
        "command": processes.command(infra, **slow_payments),
        "relay": processes.relay(infra),
        "projector": projector,
        "saga": runner(infra, **slow_payments),
        "query": processes.query(infra),
    }
    return {name: _logged(service, logs, code) for name, service in services.items()}


async def chaos_run(settings: ChaosSettings, report_path: Path) -> dict[str, Any]:
    root = CHAOS_DIR / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    private = private_infra(root)
    services = _services(private.infra, root / "logs", await asyncio.to_thread(snapshot_code, root / "code"))
    preload()
    components = {
        **{name: Component(name, service=service) for name, service in services.items()},
        "postgres": Component("postgres", server=private.postgres),
        "kafka": Component("kafka", server=private.kafka),
        "mongo": Component("mongo", server=private.mongo),
    }
    started = time.monotonic()
    passed = False
    try:
        await asyncio.to_thread(private.start)
        for name in ("command", "relay", "projector", "saga", "query"):
            services[name].start()
        for name in ("command", "relay", "projector", "saga", "query"):
            await asyncio.to_thread(services[name].wait_ready, 180)
        report = await _drive(settings, components, services, private.infra, report_path, started)
        passed = not failures(report, settings)
        return report
    finally:
        for component in components.values():
            with contextlib.suppress(Exception):
                await asyncio.to_thread(component.stop)
        if passed and not settings.keep_data:
            private.remove()
        else:
            print(f"[chaos] data and logs of this run kept in {root}")


async def _drive(
    settings: ChaosSettings,
    components: dict[str, Component],
    services: dict[str, processes.Service],
    infra: Any,
    report_path: Path,
    started: float,
) -> dict[str, Any]:
    log = ClientLog()
    rng = random.Random(settings.seed)
    command = Client("command", services["command"].url, log, rng=rng)
    query = Client("query", services["query"].url, log, rng=rng)
    workload = Workload(command, query, log, seed=settings.seed, workers=settings.workers)
    monkey = Monkey(
        components,
        log,
        services["query"].url,
        services["command"].url,
        kills_each=settings.kills_each,
        every=settings.every,
        overlap_every=settings.overlap_every,
        seed=settings.seed,
    )
    stop_load, stop_watch = asyncio.Event(), asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    async with httpx.AsyncClient() as http:
        watch = asyncio.create_task(supervise(list(components.values()), http, stop_watch))
        try:
            await workload.setup()
            load = asyncio.create_task(workload.run(stop_load))
            chaos = asyncio.create_task(monkey.run())
            tasks += [load, chaos]
            done, _ = await asyncio.wait({load, chaos}, return_when=asyncio.FIRST_COMPLETED)
            if load in done:
                load.result()  # the load failed (an operation stalled): say why
                raise AssertionError("the load stopped before the kills were over")
            stop_load.set()
            chaos.result()
            await load
            await settle(infra)
        finally:
            for task in tasks:
                task.cancel()
            stop_watch.set()
            await watch
            await command.close()
            await query.close()
    for name in ("command", "relay", "projector", "saga", "query"):  # quiet: the rebuilds switch views
        await asyncio.to_thread(components[name].stop)
    checks = await verify(infra, workload.shop, log)
    report = reports.build(
        seconds=time.monotonic() - started,
        began=started,
        kills=monkey.kills,
        components=components,
        log=log,
        checks=checks,
        settings={**settings.__dict__, "components": sorted(components)},
    )
    reports.save(report, report_path)
    print(reports.render(report))
    print(f"report saved to {report_path}")
    return report
