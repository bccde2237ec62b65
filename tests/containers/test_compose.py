"""deploy/compose.yaml's application services, run for real: `docker compose` (the plugin that
`make install` builds) with the host override deploy/compose.host.yaml, talking to podman's
Docker-compatible API (`podman system service`) instead of a Docker engine, against the
host's PostgreSQL, Kafka and MongoDB stand-in. An order placed at the compose command
container is read back from the compose query container."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.containers import Container, bahi_env, podman_env, wait, wait_all_healthy
from tests.support.infra import ROOT, Infra, fresh_infra
from tests.support.processes import free_port
from tests.support.shop import Shop, has_status, read_until

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

SERVICES = ("command", "relay", "saga", "projector", "query")
FILES = ["-f", str(ROOT / "deploy" / "compose.yaml"), "-f", str(ROOT / "deploy" / "compose.host.yaml")]


@pytest.fixture(scope="module")
async def compose_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_compose") as value:
        yield value


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
        return True


@pytest.fixture(scope="module")
def docker_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """podman's Docker-compatible API on a socket of this test's own, stopped afterwards."""
    sock = tmp_path_factory.mktemp("podman") / "podman.sock"
    log = (sock.parent / "service.log").open("w")
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{sock}"], env=podman_env(), stdout=log, stderr=log
    )
    try:
        wait("podman's API socket", lambda: _answers(sock), lambda: service.poll(), stall=20)
        yield f"unix://{sock}"
    finally:
        service.terminate()
        service.wait(timeout=30)


def test_compose_runs_every_application_service_against_the_hosts_infrastructure(
    docker_host: str, compose_infra: Infra, run_id: str
) -> None:
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        **bahi_env(compose_infra),
        "DOCKER_HOST": docker_host,
        "BAHI_COMMAND_PORT": str(ports["command"]),
        "BAHI_RELAY_PORT": str(ports["relay"]),
        "BAHI_SAGA_PORT": str(ports["saga"]),
        "BAHI_PROJECTOR_PORT": str(ports["projector"]),
        "BAHI_QUERY_PORT": str(ports["query"]),
    }
    project = f"bahi-t{run_id}"

    def compose(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "compose", "-p", project, *FILES, *args], env=env, capture_output=True, text=True, timeout=300
        )

    try:
        started = time.monotonic()
        up = compose("up", "-d", "--no-deps", *SERVICES)
        assert up.returncode == 0, up.stderr
        # The containers compose made, each checked with the health check compose.yaml gives it.
        containers = {name: Container(f"{project}-{name}-1", [], {}, ports[name]) for name in SERVICES}
        for container in containers.values():
            container.started_at = started
        wait_all_healthy(containers, " (compose, from `up`)")

        listed = compose("ps", "--format", "{{.Service}} {{.State}}")
        assert sorted(listed.stdout.split("\n")[:-1]) == sorted(f"{name} running" for name in SERVICES), listed

        shop = Shop(f"http://127.0.0.1:{ports['command']}")
        order_id = shop.place(shop.product(), "COD")
        query = f"http://127.0.0.1:{ports['query']}"
        view = read_until(f"{query}/v1/orders/{order_id}", has_status("CONFIRMED"), what="the order, via compose")
        assert view["order_id"] == order_id
    finally:
        down = compose("down", "-v", "-t", "10")
        assert down.returncode == 0, down.stderr
