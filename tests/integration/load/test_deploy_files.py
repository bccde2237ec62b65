"""The load test's deployment files stay valid: compose's `loadtest` profile (docker compose
config) and the Kubernetes Job (kubernetes-validate, strict, the schemas of 1.33 shipped in the
package: deploy/local/deploy-tools.sh), each running a command the harness's own parser accepts
with thresholds that parse, and the image's Dockerfile copying what its ignore file lets in."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.load.__main__ import build_parser
from tests.load.thresholds import Threshold
from tests.support.infra import ROOT

pytestmark = [pytest.mark.slow]

LOADTEST_K8S = ROOT / "deploy" / "k8s" / "loadtest"


def _accepted(command: list[str]) -> None:
    assert command[:3] == ["python", "-m", "tests.load"], command
    args = build_parser().parse_args(command[3:])
    for rule in getattr(args, "threshold", []):
        Threshold.parse(rule)


def test_the_compose_profile_runs_the_harness() -> None:
    done = subprocess.run(
        [
            "docker",
            "compose",
            "-f",
            str(ROOT / "deploy" / "compose.yaml"),
            "--profile",
            "loadtest",
            "config",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    for name in ("loadtest-seed", "loadtest"):
        assert (
            services[name]["image"] == "bahi-load:local"
            and services[name]["build"]["dockerfile"] == "deploy/loadtest.Dockerfile"
        )
        _accepted(services[name]["command"])
    assert "--target" in services["loadtest"]["command"] and "http://query:8002" in services["loadtest"]["command"]
    plain = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "deploy" / "compose.yaml"), "config", "--services"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "loadtest" not in plain  # not started by `up`


def test_the_kubernetes_job_passes_the_schemas_and_runs_the_harness() -> None:
    tools = Path(
        subprocess.run(
            [str(ROOT / "deploy" / "local" / "deploy-tools.sh")], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    job = LOADTEST_K8S / "job.yaml"
    checked = subprocess.run(
        [str(tools / "kubernetes-validate"), "--strict", "-k", "1.33.0", str(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0 and "passed for resource job/" in checked.stdout + checked.stderr, checked.stdout
    (container,) = yaml.safe_load(job.read_text())["spec"]["template"]["spec"]["containers"]
    _accepted(container["command"])
    assert "http://bahi-query:8002" in container["command"]
    assert "- job.yaml" in (LOADTEST_K8S / "kustomization.yaml").read_text()


def test_the_image_copies_what_its_ignore_file_admits() -> None:
    dockerfile = (ROOT / "deploy" / "loadtest.Dockerfile").read_text()
    admitted = (ROOT / "deploy" / "loadtest.Dockerfile.dockerignore").read_text()
    for source in ("pyproject.toml", "uv.lock", "tests/__init__.py", "tests/load/"):
        assert f"COPY {source}" in dockerfile or f"COPY {source} " in dockerfile or source in dockerfile, source
        assert f"!{source}" in admitted, source
        assert (ROOT / source).exists(), source
