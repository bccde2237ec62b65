"""Pass/fail thresholds, as k6 has them: each one a rule over the run's figures, and any rule
broken makes the run fail (exit status 1). The grammar:

    [ENDPOINT:]METRIC OP VALUE[UNIT][@RATE]

METRIC: p50, p90, p99, p99.9, max, mean (latency: UNIT ms or s, ms by default), errors (the
share of answers that are not 2xx/3xx, or of timeouts and connection errors: UNIT %, or a
fraction), achieved (achieved rate over target: % or a fraction), dropped and late (counts).
OP: <, <=, >, >=, ==. @RATE: the rule is judged on the rate step whose target is RATE requests/s
(`p99<20ms@2000`; not with an ENDPOINT, nor for late sends); without it, on the whole run.
ENDPOINT: one endpoint's figures over the run (latency and errors only)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any

from tests.load.analysis import Analysis

_RULE = re.compile(
    r"^(?:(?P<endpoint>[A-Za-z0-9_-]+):)?(?P<metric>p\d+(?:\.\d+)?|max|mean|errors|achieved|dropped|late)"
    r"\s*(?P<op><=|>=|==|<|>)\s*(?P<value>\d+(?:\.\d+)?)(?P<unit>ms|s|%)?(?:@(?P<rate>\d+(?:\.\d+)?))?$"
)
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
_LATENCY = {"max": "max_ms", "mean": "mean_ms"}


@dataclass(frozen=True)
class Threshold:
    text: str
    endpoint: str | None
    metric: str
    op: str
    value: float
    rate: float | None

    @classmethod
    def parse(cls, text: str) -> Threshold:
        match = _RULE.match(text.replace(" ", ""))
        if match is None:
            raise ValueError(
                f"threshold {text!r}: expected [ENDPOINT:]METRIC OP VALUE[ms|s|%][@RATE], e.g. p99<20ms@2000"
            )
        metric, unit, value = match["metric"], match["unit"], float(match["value"])
        latency = metric.startswith("p") or metric in _LATENCY
        if latency:
            if unit == "%":
                raise ValueError(f"threshold {text!r}: a latency is in ms or s")
            value = value * 1000 if unit == "s" else value
        elif metric in {"errors", "achieved"}:
            if unit in {"ms", "s"}:
                raise ValueError(f"threshold {text!r}: {metric} is a share (% or a fraction)")
            value = value / 100 if unit == "%" else value
        elif unit:
            raise ValueError(f"threshold {text!r}: {metric} is a count")
        if match["endpoint"] and metric in {"achieved", "dropped", "late"}:
            raise ValueError(f"threshold {text!r}: {metric} is judged on the whole run or a step, not an endpoint")
        rate = float(match["rate"]) if match["rate"] else None
        if rate is not None and (match["endpoint"] or metric == "late"):
            raise ValueError(f"threshold {text!r}: a step is judged whole (no endpoint), and late sends over the run")
        return cls(text, match["endpoint"], metric, match["op"], value, rate)

    def measure(self, analysis: Analysis) -> float | None:
        figures: dict[str, Any] | None = analysis.overall
        if self.rate is not None:
            figures = next((s for s in analysis.steps if abs(s["target_per_s"] - self.rate) < 1e-6), None)
            if figures is None:
                return None
        elif self.endpoint:
            figures = next((e for e in analysis.endpoints if e["endpoint"] == self.endpoint), None)
        if figures is None:
            return None
        match self.metric:
            case "errors":
                return float(figures["error_share"])
            case "achieved":
                target = figures["target_per_s"]
                return float(figures["achieved_per_s"]) / target if target else None
            case "dropped" | "late":
                return float(figures.get(self.metric, 0))
        key = _LATENCY.get(self.metric, f"{self.metric}_ms")
        return float(figures[key]) if key in figures else None

    def judge(self, analysis: Analysis) -> dict[str, Any]:
        value = self.measure(analysis)
        passed = value is not None and _OPS[self.op](value, self.value)
        where = f"the {self.rate:g}/s step" if self.rate is not None else (self.endpoint or "the whole run")
        return {
            "threshold": self.text,
            "value": value,
            "passed": passed,
            "where": where,
            "note": "" if value is not None else "no such step or endpoint in this run",
        }


def judge_all(texts: list[str], analysis: Analysis) -> list[dict[str, Any]]:
    return [Threshold.parse(t).judge(analysis) for t in texts]
