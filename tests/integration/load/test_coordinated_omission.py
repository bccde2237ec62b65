"""The harness against a server with a known fault (`python -m tests.load stub`: the whole
process freezes for 50 ms on every 200th request): the open-loop driver counts each request from
its scheduled moment, so the requests due during a freeze carry it and the p99 shows it; a
closed-loop measure of the same server (one connection, paced to the same rate, as Locust
paces) sent nothing during the freezes, so only the 1 request in 200 that met one is slow and
its p99 hides them. Relations only (no absolute speed): robust on a busy machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.load.__main__ import finish
from tests.load.__main__ import main as cli
from tests.load.analysis import analyse
from tests.load.thresholds import judge_all

pytestmark = [pytest.mark.e2e]

STALL_MS = 50.0


def test_the_open_loop_p99_shows_the_stall(calibration: dict[str, Any]) -> None:
    found = calibration["open"]
    assert found["count"] == 1000  # every scheduled request was sent and answered
    assert found["p99_ms"] >= 0.8 * STALL_MS, found
    assert found["p50_ms"] < 0.8 * STALL_MS, found  # the freeze is a tail, not the whole


def test_a_closed_loop_measure_of_the_same_server_hides_it(calibration: dict[str, Any]) -> None:
    closed = calibration["closed"]
    assert closed["count"] == 1000
    assert closed["max_ms"] >= 0.8 * STALL_MS, closed  # it met the freezes...
    assert closed["p99_ms"] < 0.8 * STALL_MS <= calibration["open"]["p99_ms"], closed  # ...and its p99 hid them


def test_the_open_loop_was_not_driver_bound(calibration: dict[str, Any]) -> None:
    results = calibration["open_results"]
    analysis = analyse(results)
    assert analysis.overall["dropped"] == 0
    assert analysis.overall["target_requests"] == 1000
    # Sends left on time, mostly: the tail is the server's, not the driver's own lateness.
    assert analysis.overall["send_lag"]["p50_ms"] < 0.8 * STALL_MS


def test_the_report_has_every_file_and_its_numbers_are_the_histograms(
    calibration_report: Path, calibration: dict[str, Any]
) -> None:
    for name in (
        "index.html",
        "summary.json",
        "endpoints.csv",
        "windows.csv",
        "endpoint_windows.csv",
        "steps.csv",
        "latency_over_time.png",
        "latency_vs_load.png",
        "distribution.png",
    ):
        assert (calibration_report / name).stat().st_size > 0, name
    summary = json.loads((calibration_report / "summary.json").read_text())
    assert summary["overall"]["p99_ms"] == calibration["open"]["p99_ms"]
    assert [e["endpoint"] for e in summary["endpoints"]] == ["stall"]
    assert summary["endpoints"][0]["statuses"] == {"200": 1000}
    assert sum(w["count"] for w in summary["windows"]) == 1000
    assert summary["steps"][0]["target_per_s"] == 400.0
    csv_rows = (calibration_report / "windows.csv").read_text().splitlines()
    assert csv_rows[0].startswith("window,from_s,target_per_s") and len(csv_rows) == 1 + len(summary["windows"])
    page = (calibration_report / "index.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3 and 'id="windows"' in page


def test_thresholds_set_the_verdict_and_the_exit_status(calibration_report: Path, tmp_path: Path) -> None:
    summary = json.loads((calibration_report / "summary.json").read_text())
    verdicts = {t["threshold"]: t["passed"] for t in summary["thresholds"]}
    assert verdicts == {"p99<20ms": False, "p50<20ms": True, "dropped==0": True}
    assert summary["passed"] is False
    # The exit status: 1 when a threshold failed, 0 when all held (`run` and `report` end the same
    # way), 2 for a rule that does not parse (refused before anything is drawn).
    saved = tmp_path / "results.json"
    saved.write_text((calibration_report / "results.json").read_text())
    assert cli(["report", "--results", str(saved), "--threshold", "p99<<20"]) == 2
    analysis = analyse(json.loads(saved.read_text()))
    held = judge_all(["p50<20ms", "p99>=40ms", "errors<0.1%", "achieved>=0.9@400"], analysis)
    assert all(j["passed"] for j in held), held
    assert finish(calibration_report, held) == 0
    assert finish(calibration_report, judge_all(["p99<20ms", "p50<20ms"], analysis)) == 1
