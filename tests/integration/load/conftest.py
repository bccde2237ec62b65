"""One calibration run for the module's tests: the stall server driven open loop and closed loop
(tests/load/calibrate.py), and the open loop's report written once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.load import report, runner
from tests.load.calibrate import calibrate
from tests.load.thresholds import judge_all

RATE, SECONDS = 400.0, 2.5
"""1,000 requests: ten 50 ms freezes, each delaying the ~20 requests due during it."""
THRESHOLDS = ["p99<20ms", "p50<20ms", "dropped==0"]


@pytest.fixture(scope="session")
def calibration() -> dict[str, Any]:
    return calibrate(RATE, SECONDS)


@pytest.fixture(scope="session")
def calibration_report(calibration: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("load-report")
    from tests.load.analysis import analyse

    runner.save(calibration["open_results"], out)
    report.write(calibration["open_results"], out, judge_all(THRESHOLDS, analyse(calibration["open_results"])))
    return out
