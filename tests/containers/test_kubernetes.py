"""deploy/k8s as far as this machine allows: every manifest checked against the Kubernetes JSON
schemas (kubernetes-validate, strict: an unknown field is an error; the schemas ship in the
package, nothing is fetched), and the stateless HTTP services' Deployments (command, query)
played with `podman kube play` from the local image, probed from outside as a kubelet would
(podman turns an httpGet probe into `curl` inside the container, which the image does not have)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support import auth
from tests.support.containers import IMAGE, podman, wait
from tests.support.infra import ROOT, Infra, fresh_infra
from tests.support.processes import free_port
from tests.support.shop import Shop

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
KUBERNETES = "1.33.0"


def _tools() -> Path:
    bin_dir = subprocess.run(
        [str(ROOT / "deploy" / "local" / "deploy-tools.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(bin_dir)


def _validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_tools() / "kubernetes-validate"), "--strict", "-k", KUBERNETES, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_manifest_passes_the_kubernetes_schemas_strictly() -> None:
    result = _validate(*MANIFESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = [line for line in (result.stdout + result.stderr).splitlines() if " passed for resource " in line]
    kinds = {line.split(" passed for resource ")[1].split("/")[0] for line in passed}
    assert {"deployment", "service", "configmap", "secret", "job", "horizontalpodautoscaler"} <= kinds, passed
    listed = (K8S / "kustomization.yaml").read_text()
    assert all(f"- {p.name}" in listed for p in MANIFESTS if p.name != "rebuild-job.yaml"), listed


def test_the_validator_refuses_a_misspelt_field(tmp_path: Path) -> None:
    broken = tmp_path / "command.yaml"
    broken.write_text((K8S / "command.yaml").read_text().replace("readinessProbe:", "readinesProbe:", 1))
    result = _validate(broken)
    assert result.returncode != 0 and "readinesProbe" in result.stdout + result.stderr, result.stdout


@pytest.fixture(scope="module")
async def kube_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_kube") as value:
        yield value


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_command_and_query_deployments_play_on_podman(kube_infra: Infra, tmp_path: Path) -> None:
    ports = {"bahi-command": free_port(), "bahi-query": free_port()}
    infra = kube_infra
    values = {
        "BAHI_HOST": "127.0.0.1",
        "BAHI_DATABASE_URL": infra.pg_dsn,
        "BAHI_KAFKA_BOOTSTRAP": infra.kafka,
        "BAHI_TOPIC_PREFIX": infra.topic_prefix,
        "BAHI_MONGO_URL": infra.mongo_url,
        "BAHI_MONGO_DB": infra.mongo_db,
        "BAHI_AUTH_ISSUER": auth.ISSUER,
        "BAHI_AUTH_AUDIENCE": auth.AUDIENCE,
        "jwks.json": auth.JWKS_FILE.read_text(),  # the bahi-jwks Secret's key: the test suite's keys
    }
    # Mounted into the pods as the bahi-jwks Secret's volume: a folder the image's user can reach
    # (pytest's tmp_path sits under a folder only root may enter).
    secrets = Path(tempfile.mkdtemp(prefix="bahi-kube-secrets-"))
    secrets.chmod(0o755)
    made = subprocess.run(
        [str(_tools() / "python"), str(ROOT / "deploy" / "local" / "kube_local.py"), "--image", IMAGE,
         *(a for k, v in values.items() for a in ("--set", f"{k}={v}")),
         *(a for name, port in ports.items() for a in ("--port", f"{name}={port}")),
         "--secret-dir", str(secrets),
         str(K8S / "config.yaml"), str(K8S / "command.yaml"), str(K8S / "query.yaml")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "left out HorizontalPodAutoscaler bahi-query" in made.stderr
    play = tmp_path / "play.yaml"
    play.write_text(made.stdout)
    try:
        played = podman("kube", "play", str(play), check=False)
        assert played.returncode == 0, played.stderr
        command, query = (f"http://127.0.0.1:{ports[name]}" for name in ("bahi-command", "bahi-query"))
        pods = lambda: podman("pod", "ps", "--format", "{{.Name}} {{.Status}}").stdout  # noqa: E731
        wait("the played pods ready", lambda: _ready(command) and _ready(query), pods, limit=120)
        user = podman("inspect", "--format", "{{.Config.User}}", "bahi-query-pod-0-query").stdout.strip()
        assert user == "10001:10001"

        sku = Shop(command).product()  # the command pod writes to the event store
        missing = httpx.get(
            f"{query}/v1/products/{sku}", timeout=5, headers=auth.STAFF
        )  # no projector played: not projected
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    finally:
        podman("kube", "down", str(play), check=False)
        shutil.rmtree(secrets, ignore_errors=True)
