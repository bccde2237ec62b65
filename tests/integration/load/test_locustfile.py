"""The locustfile runs headless over the same scenarios (here the calibration scenario against the
stall server): Locust's own statistics (`--json`) count the requests under the endpoint's name,
with no failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.load.calibrate import stall_server
from tests.support.infra import ROOT

pytestmark = [pytest.mark.e2e]


def test_locust_runs_the_scenario_headless(tmp_path: Path) -> None:
    with stall_server() as target:
        env = {"BAHI_LOAD_SCENARIO": "calibrate", "BAHI_LOAD_PER_USER_RATE": "20", "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "tests" / "load" / "locustfile.py"),
                "--headless",
                "--host",
                target.url,
                "-u",
                "5",
                "-r",
                "5",
                "-t",
                "8s",
                "--json",
                "--only-summary",
                "--stop-timeout",
                "2",
            ],
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    stats = {entry["name"]: entry for entry in json.loads(done.stdout)}
    assert stats["stall"]["num_requests"] > 5 and stats["stall"]["num_failures"] == 0, stats
