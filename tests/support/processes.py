"""Start Bahi's services as separate OS processes for end-to-end and crash tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support import auth
from tests.support.infra import ROOT

LOGS = ROOT / ".local" / "logs" / "tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    name: str
    module: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default=LOGS)
    cwd: Path = ROOT
    """The checkout the service runs from (benchmarks run an older commit's code side by side)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Service:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{self.name}-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout: float = 60.0) -> Service:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.tail()}")
            try:  # a slow answer is an answer: a projector on a backlog may take seconds
                if httpx.get(f"{self.url}/readyz", timeout=5.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout}s: {self.tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 30 s: a service whose shutdown waits
        on a request that never ends must not outlive the suite (a chaos run once left one)."""
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# Services under test and benchmark trust the suite's test key, and are not rate limited
# (tests/unit/auth/test_rate_limits.py checks the limits).
AUTH_ENV = {
    **auth.ENV,
    "BAHI_RATE_LIMIT_PRINCIPAL_PER_SECOND": "0",
    "BAHI_RATE_LIMIT_CLIENT_PER_SECOND": "0",
}


def service_env(infra: object, **extra: str) -> dict[str, str]:
    return {
        **AUTH_ENV,
        "BAHI_DATABASE_URL": infra.pg_dsn,  # type: ignore[attr-defined]
        "BAHI_KAFKA_BOOTSTRAP": infra.kafka,  # type: ignore[attr-defined]
        "BAHI_TOPIC_PREFIX": infra.topic_prefix,  # type: ignore[attr-defined]
        "BAHI_MONGO_URL": infra.mongo_url,  # type: ignore[attr-defined]
        "BAHI_MONGO_DB": infra.mongo_db,  # type: ignore[attr-defined]
        "BAHI_HOST": "127.0.0.1",
        **extra,
    }


def command(infra: object, **env: str) -> Service:
    port = free_port()
    return Service("command", "command_service", port, service_env(infra, BAHI_PORT=str(port), **env))


def relay(infra: object, name: str = "main", **env: str) -> Service:
    port = free_port()
    return Service(
        "relay",
        "command_service.relay",
        port,
        service_env(infra, BAHI_RELAY_PORT=str(port), BAHI_RELAY_NAME=name, **env),
    )


def projector(infra: object, **env: str) -> Service:
    port = free_port()
    return Service("projector", "projector_service", port, service_env(infra, BAHI_PROJECTOR_PORT=str(port), **env))


def query(infra: object, **env: str) -> Service:
    port = free_port()
    return Service("query", "query_service", port, service_env(infra, BAHI_PORT=str(port), **env))


@contextlib.contextmanager
def running(services: list[Service], timeout: float = 90) -> Iterator[dict[str, Service]]:
    """Every service started, each ready (its /readyz answers), by name; all stopped afterwards."""
    for service in services:
        service.start()
    try:
        for service in services:
            service.wait_ready(timeout)
        yield {s.name: s for s in services}
    finally:
        for service in services:
            service.stop()
