"""A driver results document made from known latencies (two processes, two endpoints), for the
analysis and threshold tests."""

from __future__ import annotations

from typing import Any

from tests.load.driver import Tallies


def fake_results() -> dict[str, Any]:
    """100/s for 2 s: 'fast' answers in 1 ms; 'slow' in 50 ms, 20 of its 100 answers a 503."""
    workers = []
    for process in range(2):
        tallies = Tallies(1.0)
        for n in range(100):
            due = n / 50 + process / 100
            name, took = ("fast", 0.001) if n % 2 == 0 else ("slow", 0.050)
            status = "503" if name == "slow" and n % 10 == 1 else "200"
            tallies.scheduled[int(due)] += 1
            tallies.note(name, due, due, due + took, status, 0.0)
        workers.append(
            {"process": process, **tallies.as_dict(), "cpu_seconds": 0.1, "wall_seconds": 2.0, "connections_opened": 4}
        )
    return {
        "started_at": "2026-12-01T00:00:00+00:00",
        "plan": {
            "steps": [[100.0, 2.0]],
            "window": 1.0,
            "scenario": "t",
            "target": "http://127.0.0.1:1",
            "mode": "open",
            "processes": 2,
            "connections": 4,
        },
        "workers": workers,
        "driver": {"processes": [], "busy": False},
        "machine": {"cpus": 2, "load_before": [0, 0, 0], "load_after": [0, 0, 0], "busy_share_mean": 0.1},
        "server_cpu_share": {},
    }
