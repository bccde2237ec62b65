"""The schedule splits one arrival rate across the driver's processes without gaps or overlaps;
rate steps parse as documented; thresholds parse, refuse what they cannot judge, and judge."""

from __future__ import annotations

from typing import Any

import pytest

from tests.load.analysis import analyse
from tests.load.http import Target
from tests.load.plan import Plan, parse_steps, schedule
from tests.load.thresholds import Threshold, judge_all
from tests.unit.load.results import fake_results


def test_steps_parse() -> None:
    assert parse_steps("200x10") == ((200.0, 10.0),)
    assert parse_steps("500:2000:500x5") == ((500.0, 5.0), (1000.0, 5.0), (1500.0, 5.0), (2000.0, 5.0))
    assert parse_steps("100x2, 300x3") == ((100.0, 2.0), (300.0, 3.0))
    for bad in ("200", "0x5", "abc"):
        with pytest.raises(ValueError):
            parse_steps(bad)


def test_the_processes_share_one_schedule() -> None:
    plan = Plan(Target("127.0.0.1", 1), "calibrate", ((100.0, 2.0), (300.0, 1.0)), processes=3)
    shares = [list(schedule(plan, p)) for p in range(3)]
    together = sorted(t for share in shares for t in share)
    assert len(together) == 500
    assert together[:3] == [0.0, 0.01, 0.02] and together[200] == 2.0
    assert abs(len(shares[0]) - len(shares[2])) <= 1
    assert plan.step_at(1.99) == 0 and plan.step_at(2.0) == 1


@pytest.mark.parametrize(
    ("text", "metric", "value", "rate"),
    [
        ("p99<20ms@2000", "p99", 20.0, 2000.0),
        ("p99.9<=0.1s", "p99.9", 100.0, None),
        ("errors<0.1%", "errors", 0.001, None),
        ("achieved>=95%@500", "achieved", 0.95, 500.0),
        ("order_status:p50<5", "p50", 5.0, None),
        ("dropped==0", "dropped", 0.0, None),
    ],
)
def test_thresholds_parse(text: str, metric: str, value: float, rate: float | None) -> None:
    parsed = Threshold.parse(text)
    assert (parsed.metric, parsed.value, parsed.rate) == (metric, pytest.approx(value), rate)


@pytest.mark.parametrize(
    "text",
    ["p99<20%", "errors<5ms", "dropped<2%", "p99 << 20", "latency<5ms", "x:achieved>1", "x:p99<5@100", "late<1@100"],
)
def test_a_threshold_it_cannot_judge_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Threshold.parse(text)


def test_thresholds_judge_the_run_a_step_or_an_endpoint() -> None:
    results: dict[str, Any] = fake_results()
    analysis = analyse(results)
    judged = {
        j["threshold"]: j
        for j in judge_all(
            ["p99<20ms", "p99>=40ms", "p50<5ms@100", "fast:p99<5ms", "slow:p99<5ms", "errors<1%", "p99<1ms@999"],
            analysis,
        )
    }
    assert judged["p99<20ms"]["passed"] is False and judged["p99>=40ms"]["passed"] is True
    assert judged["p50<5ms@100"]["passed"] is True
    assert judged["fast:p99<5ms"]["passed"] is True and judged["slow:p99<5ms"]["passed"] is False
    assert judged["errors<1%"]["passed"] is False  # 20 of 200 answers were 503
    assert judged["p99<1ms@999"]["passed"] is False and judged["p99<1ms@999"]["note"]  # no such step: never a pass
