"""From a run's results (the driver processes' histograms and counts) to the figures the report
shows: per endpoint, per time window and per rate step — p50/p90/p99/p99.9 and max (HdrHistogram,
merged across processes, never averaged), throughput, errors by status, target against achieved
rate, dropped and late requests — and the driver's own health."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from tests.load import histograms


def ok_status(status: str) -> bool:
    return status.isdigit() and 200 <= int(status) < 400


@dataclass
class Analysis:
    plan: dict[str, Any]
    overall: dict[str, Any]
    endpoints: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    driver: dict[str, Any]
    machine: dict[str, Any]
    server_cpu_share: dict[str, float]
    started_at: str
    merged: HdrHistogram = field(repr=False)
    service: HdrHistogram = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in {"merged", "service"}}


def _step_bounds(plan: dict[str, Any]) -> list[tuple[float, float, float]]:
    bounds, start = [], 0.0
    for rate, seconds in plan["steps"]:
        bounds.append((rate, start, start + seconds))
        start += seconds
    return bounds


def analyse(results: dict[str, Any]) -> Analysis:
    plan, workers = results["plan"], results["workers"]
    window = float(plan["window"])
    latency: dict[tuple[str, int], HdrHistogram] = defaultdict(histograms.new)
    service: dict[str, HdrHistogram] = defaultdict(histograms.new)
    statuses: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    scheduled: Counter[int] = Counter()
    completed: Counter[int] = Counter()
    dropped: Counter[int] = Counter()
    lag = histograms.new()
    late = 0
    for w in workers:
        for key, text in w["latency"].items():
            name, slot = key.rsplit("|", 1)
            latency[(name, int(slot))].add(histograms.decode(text))
        for name, text in w["service"].items():
            service[name].add(histograms.decode(text))
        for key, counts in w["statuses"].items():
            name, slot = key.rsplit("|", 1)
            statuses[(name, int(slot))].update(counts)
        for counter, source in ((scheduled, "scheduled"), (completed, "completed"), (dropped, "dropped")):
            counter.update({int(k): v for k, v in w[source].items()})
        lag.add(histograms.decode(w["lag"]))
        late += w["late"]
    names = sorted({name for name, _ in latency})
    seconds = sum(s for _, s in plan["steps"])
    bounds = _step_bounds(plan)
    slots = sorted({slot for _, slot in latency} | set(scheduled))

    def rate_at(t: float) -> float:
        return next((rate for rate, start, end in bounds if start <= t < end), bounds[-1][0])

    def figures(hist: HdrHistogram, counts: Counter[str], span: float) -> dict[str, Any]:
        errors = sum(n for s, n in counts.items() if not ok_status(s))
        total = sum(counts.values())
        return {
            **histograms.summary_ms(hist),
            "throughput_per_s": round(total / span, 1) if span else 0.0,
            "errors": errors,
            "error_share": round(errors / total, 5) if total else 0.0,
            "statuses": dict(sorted(counts.items())),
        }

    endpoints = []
    for name in names:
        hist = histograms.merged(h for (n, _), h in latency.items() if n == name)
        counts = sum((c for (n, _), c in statuses.items() if n == name), Counter())
        row = {"endpoint": name, **figures(hist, counts, seconds)}
        row["service_p99_ms"] = histograms.summary_ms(service[name])["p99_ms"]
        endpoints.append(row)

    windows = []
    for slot in slots:
        t = slot * window
        span = max(1e-9, min(window, seconds - t)) if t < seconds else window  # the last window may be short
        hist = histograms.merged(h for (_, s), h in latency.items() if s == slot)
        counts = sum((c for (_, s), c in statuses.items() if s == slot), Counter())
        row = {
            "window": slot,
            "from_s": round(t, 3),
            "target_per_s": rate_at(t),
            "scheduled_per_s": round(scheduled[slot] / span, 1),
            "achieved_per_s": round(completed[slot] / span, 1),
            "dropped": dropped[slot],
            **figures(hist, counts, span),
        }
        row["by_endpoint"] = {
            name: histograms.summary_ms(latency[(name, slot)]) for name in names if (name, slot) in latency
        }
        windows.append(row)

    steps = []
    for index, (rate, start, end) in enumerate(bounds):
        inside = [slot for slot in slots if start <= slot * window < end]
        hist = histograms.merged(h for (_, s), h in latency.items() if s in inside)
        counts = sum((c for (_, s), c in statuses.items() if s in inside), Counter())
        done = sum(completed[s] for s in inside)
        row = {
            "step": index,
            "target_per_s": rate,
            "from_s": start,
            "seconds": end - start,
            "achieved_per_s": round(done / (end - start), 1),
            "dropped": sum(dropped[s] for s in inside),
            **figures(hist, counts, end - start),
        }
        row["achieved_share"] = round(row["achieved_per_s"] / rate, 3) if rate else 0.0
        steps.append(row)

    merged = histograms.merged(latency.values())
    service_all = histograms.merged(service.values())
    all_counts = sum(statuses.values(), Counter())
    overall = {
        **figures(merged, all_counts, seconds),
        "target_requests": sum(scheduled.values()),
        "dropped": sum(dropped.values()),
        "late": late,
        "send_lag": histograms.summary_ms(lag),
        "service_time": histograms.summary_ms(service_all),
        "achieved_per_s": round(sum(completed.values()) / seconds, 1) if seconds else 0.0,
        "target_per_s": round(sum(r * s for r, s in plan["steps"]) / seconds, 1) if seconds else 0.0,
    }
    errors = [e for w in workers for e in w.get("errors", [])][:20]
    driver = {**results["driver"], "errors_sample": errors}
    return Analysis(
        plan,
        overall,
        endpoints,
        windows,
        steps,
        driver,
        results["machine"],
        results.get("server_cpu_share", {}),
        results["started_at"],
        merged,
        service_all,
    )
