"""The figures come from the merged HdrHistograms of every driver process (never averages of
per-process percentiles), counted per endpoint, per window and per step."""

from __future__ import annotations

import pytest

from tests.load import histograms
from tests.load.analysis import analyse
from tests.unit.load.results import fake_results


def test_percentiles_merge_across_processes_and_endpoints() -> None:
    a = analyse(fake_results())
    assert a.overall["count"] == 200 and a.overall["target_requests"] == 200
    assert a.overall["p50_ms"] == pytest.approx(1.0, rel=0.01)
    assert a.overall["p99_ms"] == pytest.approx(50.0, rel=0.01)
    by_name = {e["endpoint"]: e for e in a.endpoints}
    assert by_name["fast"]["p99.9_ms"] == pytest.approx(1.0, rel=0.01) and by_name["fast"]["errors"] == 0
    assert by_name["slow"]["statuses"] == {"200": 80, "503": 20} and by_name["slow"]["error_share"] == 0.2


def test_windows_and_steps_count_target_and_achieved() -> None:
    a = analyse(fake_results())
    assert [w["window"] for w in a.windows] == [0, 1]
    assert all(w["target_per_s"] == 100.0 and w["scheduled_per_s"] == 100.0 for w in a.windows)
    assert sum(w["count"] for w in a.windows) == 200
    (step,) = a.steps
    # Achieved counts answers by when they came: the last slow ones came after the step ended.
    assert 95 <= step["achieved_per_s"] <= 100 and step["dropped"] == 0


def test_a_histogram_keeps_three_significant_digits() -> None:
    h = histograms.new()
    for value in (0.0012345, 0.0123456, 1.23456):
        histograms.record(h, value)
    assert h.get_max_value() / 1e6 == pytest.approx(1.23456, rel=1e-3)
    again = histograms.decode(histograms.encode(h))
    assert again.get_total_count() == 3 and again.get_max_value() == h.get_max_value()


def test_the_fast_percentiles_are_hdrhistograms_own() -> None:
    import random

    h = histograms.new()
    rng = random.Random(4)
    for _ in range(5000):
        histograms.record(h, rng.lognormvariate(-6, 1.5))
    wanted = (0.1, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0)
    assert histograms.values_at(h, wanted) == [h.get_value_at_percentile(p) for p in wanted]


def test_the_fast_mean_is_hdrhistograms_own() -> None:
    import random

    h = histograms.new()
    rng = random.Random(5)
    for _ in range(3000):
        histograms.record(h, rng.expovariate(200))
    assert histograms.mean(h) == pytest.approx(h.get_mean_value(), rel=1e-9)
