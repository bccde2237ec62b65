"""The report's PNG plots (matplotlib, Agg: no display): latency percentiles over time with the
target and achieved rates, latency against offered load (one point per rate step), the latency
distribution (HdrHistogram's percentile plot: from the scheduled send, and the service time a
closed-loop tool would report), and the capacity curve of a scaling run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter

from tests.load import histograms
from tests.load.analysis import Analysis

COLOURS = {"p50_ms": "#2b8a3e", "p90_ms": "#1971c2", "p99_ms": "#e8590c", "p99.9_ms": "#c92a2a", "max_ms": "#868e96"}
LABELS = {"p50_ms": "p50", "p90_ms": "p90", "p99_ms": "p99", "p99.9_ms": "p99.9", "max_ms": "max"}


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def latency_over_time(analysis: Analysis, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(10, 4.6))
    rows = [w for w in analysis.windows if w["count"]]
    xs = [w["from_s"] for w in rows]
    for key in ("p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms"):
        style = ":" if key == "max_ms" else "-"
        ax.plot(xs, [max(w[key], 0.001) for w in rows], style, color=COLOURS[key], label=LABELS[key], lw=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("seconds into the run (by scheduled send)")
    ax.set_ylabel("latency from scheduled send (ms, log)")
    ax.grid(True, which="both", alpha=0.25)
    rate = ax.twinx()
    every = analysis.windows
    rate.step(
        [w["from_s"] for w in every],
        [w["target_per_s"] for w in every],
        where="post",
        color="#000",
        lw=1,
        alpha=0.6,
        label="target rate",
    )
    rate.plot(
        [w["from_s"] for w in every],
        [w["achieved_per_s"] for w in every],
        "--",
        color="#5f3dc4",
        lw=1,
        label="achieved rate",
    )
    rate.set_ylabel("requests/s")
    rate.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    more = rate.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8, ncol=4)
    ax.set_title("Latency percentiles per window, with target and achieved rate")
    return _save(fig, path)


def latency_vs_load(analysis: Analysis, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    steps = [s for s in analysis.steps if s["count"]]
    xs = [s["target_per_s"] for s in steps]
    for key in ("p50_ms", "p99_ms", "p99.9_ms"):
        ax.plot(xs, [max(s[key], 0.001) for s in steps], "o-", color=COLOURS[key], label=LABELS[key])
    ax.set_yscale("log")
    ax.set_xlabel("offered load (target requests/s)")
    ax.set_ylabel("latency from scheduled send (ms, log)")
    ax.grid(True, which="both", alpha=0.25)
    for s in steps:
        if s["achieved_share"] < 0.95 or s["dropped"]:
            ax.annotate(
                f"{s['achieved_per_s']:.0f}/s",
                (s["target_per_s"], max(s["p99_ms"], 0.001)),
                fontsize=7,
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                color="#c92a2a",
            )
    ax.legend(fontsize=8)
    ax.set_title("Latency against offered load (red: achieved rate when it fell short)")
    return _save(fig, path)


def distribution(analysis: Analysis, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for hist, label, colour in (
        (analysis.merged, "from scheduled send (open loop)", "#c92a2a"),
        (analysis.service, "service time, from actual send", "#1971c2"),
    ):
        points = histograms.percentile_curve(hist)
        if points:
            xs = [1 / (1 - min(p, 99.999) / 100) for p, _ in points]
            ax.plot(xs, [max(v, 0.001) for _, v in points], "o-", label=label, color=colour, ms=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = [1, 2, 10, 100, 1000, 10000, 100000]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 - 100 / x:g}%"))
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (ms, log)")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8)
    ax.set_title("Latency distribution, whole run")
    return _save(fig, path)


def capacity(curve: list[dict[str, Any]], threshold_ms: float, path: Path) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    xs = [c["processes"] for c in curve]
    left.bar([str(x) for x in xs], [c["capacity_per_s"] for c in curve], color="#1971c2")
    for i, c in enumerate(curve):
        left.annotate(
            f"{c['capacity_per_s']:.0f}/s",
            (i, c["capacity_per_s"]),
            ha="center",
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=8,
        )
    left.set_xlabel("query-service processes behind one port (SO_REUSEPORT)")
    left.set_ylabel(f"highest rate held, p99 < {threshold_ms:g} ms")
    left.set_title("Capacity per process count")
    for c in curve:
        steps = [s for s in c["steps"] if s["count"]]
        right.plot(
            [s["target_per_s"] for s in steps],
            [max(s["p99_ms"], 0.001) for s in steps],
            "o-",
            label=f"{c['processes']} process(es)",
        )
    right.axhline(threshold_ms, color="#c92a2a", ls="--", lw=1, label=f"{threshold_ms:g} ms")
    right.set_yscale("log")
    right.set_xlabel("offered load (requests/s)")
    right.set_ylabel("p99 from scheduled send (ms, log)")
    right.grid(True, which="both", alpha=0.25)
    right.legend(fontsize=8)
    right.set_title("p99 against offered load")
    return _save(fig, path)
