"""The container deployment: compose file valid, one container per service and part."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_compose_config_is_valid_and_complete() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "deploy" / "compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert {"postgres", "kafka", "mongo", "command", "relay", "saga", "projector", "query"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:4")
    for name in ("command", "relay", "saga", "projector", "query"):
        assert "healthcheck" in services[name], name
        assert services[name]["environment"]["BAHI_KAFKA_BOOTSTRAP"] or name == "query"
