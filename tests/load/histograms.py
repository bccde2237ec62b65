"""Latency histograms: HdrHistogram (1 µs to 10 minutes, 3 significant digits: a value is stored
within 0.1%, so a p99.9 is not rounded to two digits the way Locust's response times are), in
microseconds, encoded as text to travel between the driver's processes and into the results file."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 600_000_000
DIGITS = 3
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
"""The percentiles every table and plot shows."""


def new() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def record(histogram: HdrHistogram, seconds: float) -> None:
    histogram.record_value(min(HIGHEST_US, max(LOWEST_US, round(seconds * 1e6))))


def encode(histogram: HdrHistogram) -> str:
    return histogram.encode().decode("ascii")  # type: ignore[no-any-return]


def decode(text: str) -> HdrHistogram:
    return HdrHistogram.decode(text.encode("ascii"))


def merged(histograms: Iterable[HdrHistogram]) -> HdrHistogram:
    total = new()
    for histogram in histograms:
        if histogram.get_total_count():
            total.add(histogram)
    return total


def summary_ms(histogram: HdrHistogram) -> dict[str, float | int]:
    """count, p50/p90/p99/p99.9, max and mean, in milliseconds (NaN-free: 0 when empty)."""
    count = int(histogram.get_total_count())
    if not count:
        return {"count": 0, **{label(p): 0.0 for p in PERCENTILES}, "max_ms": 0.0, "mean_ms": 0.0}
    values = values_at(histogram, PERCENTILES)
    out: dict[str, float | int] = {"count": count}
    for p, value in zip(PERCENTILES, values, strict=True):
        out[label(p)] = round(value / 1000, 3)
    out["max_ms"] = round(histogram.get_max_value() / 1000, 3)
    out["mean_ms"] = round(mean(histogram) / 1000, 3)
    return out


def mean(histogram: HdrHistogram) -> float:
    """HdrHistogram's mean (each count at its median equivalent value), with numpy."""
    import numpy as np

    counts = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    total = int(histogram.get_total_count())
    return float((counts * _median_values()).sum()) / total if total else 0.0


@cache
def _median_values() -> Any:
    import numpy as np

    h = new()
    return np.array(
        [
            h._hdr_median_equiv_value(h.get_highest_equivalent_value(h.get_value_from_index(i)))
            for i in range(h.counts_len)
        ],
        dtype=np.float64,
    )


@cache
def _index_values() -> Any:
    """The value HdrHistogram reports for each counts index (its highest equivalent value)."""
    import numpy as np

    h = new()
    return np.array([h.get_highest_equivalent_value(h.get_value_from_index(i)) for i in range(h.counts_len)])


def values_at(histogram: HdrHistogram, percentiles: Iterable[float]) -> list[int]:
    """HdrHistogram's own value at each percentile (the same target count and equivalent value as
    `get_value_at_percentile`), with numpy: the library walks its 21,504 counts in Python, about
    0.1 s per call, and a report asks for thousands."""
    import numpy as np

    cumulative = np.cumsum(np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len])
    values = _index_values()
    out = []
    for p in percentiles:
        target = histogram.get_target_count_at_percentile(p)
        out.append(int(values[min(int(np.searchsorted(cumulative, target)), len(values) - 1)]))
    return out


def label(percentile: float) -> str:
    """50.0 -> 'p50_ms', 99.9 -> 'p99.9_ms'."""
    return f"p{percentile:g}_ms"


def percentile_curve(histogram: HdrHistogram) -> list[tuple[float, float]]:
    """(percentile, ms) pairs from p0 to the max, for the classic HdrHistogram percentile plot."""
    points: list[tuple[float, float]] = []
    if not histogram.get_total_count():
        return points
    steps = (50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.999)
    points.append((0.0, histogram.get_min_value() / 1000))
    points.extend((p, v / 1000) for p, v in zip(steps, values_at(histogram, steps), strict=True))
    points.append((100.0, histogram.get_max_value() / 1000))
    return points
