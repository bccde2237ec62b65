"""Bahi's image run as containers for the container tests (tests/containers/): podman with the
project's containers.conf (deploy/local/podman.sh), one container per process on the host's
network against the infrastructure `make test` started, each waited for through the image's own
health check. Nothing runs that check on a timer here (podman's timers are systemd's, and there
is no systemd), so a test runs it itself with `podman healthcheck run`, as the timer would."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.support import auth
from tests.support.infra import ROOT, Infra

IMAGE = os.environ.get("BAHI_IMAGE", "bahi:local")

# (what, seconds from `podman run` to healthy): printed at the end of the run (tests/containers/conftest.py).
TIMINGS: list[tuple[str, float]] = []


@cache
def podman_env() -> dict[str, str]:
    conf = subprocess.run(
        [str(ROOT / "deploy" / "local" / "podman.sh"), "--print-conf"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return {**os.environ, "CONTAINERS_CONF": conf}


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["podman", *args], capture_output=True, text=True, env=podman_env(), timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: exit {result.returncode}\n{result.stderr}")
    return result


def bahi_env(infra: Infra, **extra: str) -> dict[str, str]:
    """The configuration of a Bahi container on the host's network, on the test's own databases and topics."""
    return {
        "BAHI_HOST": "127.0.0.1",
        "BAHI_DATABASE_URL": infra.pg_dsn,
        "BAHI_KAFKA_BOOTSTRAP": infra.kafka,
        "BAHI_TOPIC_PREFIX": infra.topic_prefix,
        "BAHI_MONGO_URL": infra.mongo_url,
        "BAHI_MONGO_DB": infra.mongo_db,
        # Bearer tokens: the test suite's JWKS, inline for a container (no file to mount), and as
        # the file compose mounts as its secret bahi_jwks (BAHI_JWKS_PATH, interpolated).
        "BAHI_AUTH_JWKS": auth.JWKS_FILE.read_text(),
        "BAHI_JWKS_PATH": str(auth.JWKS_FILE),
        "BAHI_AUTH_ISSUER": auth.ISSUER,
        "BAHI_AUTH_AUDIENCE": auth.AUDIENCE,
        **extra,
    }


def wait(
    what: str, done: Callable[[], bool], progress: Callable[[], object], stall: float = 30.0, limit: float = 180.0
) -> float:
    """Until `done()`; gives up when `progress()` has not changed for `stall` seconds (nothing is
    happening) or after `limit` seconds in all. Returns the seconds it took."""
    started = last_change = time.monotonic()
    seen = progress()
    while not done():
        now = time.monotonic()
        current = progress()
        if current != seen:
            seen, last_change = current, now
        if now - last_change > stall or now - started > limit:
            raise AssertionError(f"{what}: gave up after {now - started:.0f} s (last progress: {seen!r})")
        time.sleep(0.1)
    return time.monotonic() - started


@dataclass
class Container:
    """One container of the image, by name; `start` runs it detached on the host's network."""

    name: str
    command: Sequence[str]
    env: dict[str, str]
    port: int | None = None
    started_at: float = field(default=0.0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Container:
        podman("rm", "-f", "--ignore", self.name)
        env = [arg for key, value in self.env.items() for arg in ("--env", f"{key}={value}")]
        self.started_at = time.monotonic()
        # --health-interval=disable: no systemd timer to create (the check is run by wait_healthy).
        podman("run", "-d", "--name", self.name, "--network", "host", "--health-interval", "disable", *env, IMAGE,
               *self.command)  # fmt: skip
        return self

    def restart(self) -> Container:
        self.started_at = time.monotonic()
        podman("start", self.name)
        return self

    def state(self) -> str:
        return podman("inspect", "--format", "{{.State.Status}}", self.name).stdout.strip()

    def logs(self, tail: int = 40) -> str:
        result = podman("logs", "--tail", str(tail), self.name, check=False)
        return result.stdout + result.stderr

    def healthy(self) -> bool:
        """The image's HEALTHCHECK, run now; a container that ended fails the test at once."""
        if self.state() not in ("running", "created", "configured"):
            raise AssertionError(f"{self.name} is {self.state()}:\n{self.logs()}")
        return podman("healthcheck", "run", self.name, check=False).returncode == 0

    def progress(self) -> tuple[int, int]:
        """What a starting container shows of its work: its log's length and its main process's CPU
        time (a projector joining its consumer groups on a busy broker logs nothing for a while)."""
        pid = podman("inspect", "--format", "{{.State.Pid}}", self.name).stdout.strip()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            ticks = -1
        return len(self.logs(tail=1000)), ticks

    def wait_healthy(self, label: str | None = None) -> float:
        """Seconds from `start` (or `restart`) to the first passing health check, noted in TIMINGS."""
        try:
            wait(f"{self.name} healthy", self.healthy, self.progress, stall=60, limit=240)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.logs()}") from None
        seconds = time.monotonic() - self.started_at
        TIMINGS.append((label or self.name, seconds))
        return seconds

    def stop(self) -> None:
        podman("stop", "-t", "15", self.name)

    def exit_code(self) -> int:
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.name).stdout.strip())

    def remove(self) -> None:
        podman("rm", "-f", "-t", "10", "--ignore", self.name, check=False)


def wait_all_healthy(containers: Mapping[str, Container], label: str = "") -> None:
    """Each container's health checked in a thread of its own, so each one's time to healthy is
    its own (not the time the ones before it took)."""
    with ThreadPoolExecutor(len(containers)) as pool:
        waits = [pool.submit(c.wait_healthy, f"{name}{label}") for name, c in containers.items()]
        for done in waits:
            done.result()
