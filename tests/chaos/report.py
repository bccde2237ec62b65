"""The chaos run's report: kills per component (and which overlapped), commands sent / accepted /
retried, what the clients saw, recovery time after each kill (p50 / max, per component and in
all), exits the supervisor saw, and every end check's problems. Printed as a table and saved as
JSON (its format is described in the README's "Failure" section)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from tests.chaos.client import ClientLog
from tests.chaos.components import Component
from tests.chaos.monkey import Kill


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "max": None}
    return {"p50": round(statistics.median(values), 2), "max": round(max(values), 2)}


def build(
    *,
    seconds: float,
    began: float,
    kills: list[Kill],
    components: dict[str, Component],
    log: ClientLog,
    checks: dict[str, Any],
    settings: dict[str, Any],
) -> dict[str, Any]:
    per_component = {}
    for name, component in sorted(components.items()):
        mine = [k for k in kills if k.component == name]
        per_component[name] = {
            "kills": component.kills,
            "overlapping": sum(k.overlapped_with is not None for k in mine),
            "recovery_seconds": _spread([k.recovered_after for k in mine if k.recovered_after is not None]),
            "outages_observed": sorted({k.outage_observed for k in mine if k.outage_observed}),
            "exits_at_start": component.exits_at_start,
            "exits_when_ready": len(component.exits_when_ready),
        }
    return {
        "settings": settings,
        "seconds": round(seconds, 1),
        "kills": {
            "total": len(kills),
            "overlapping_pairs": sum(k.overlapped_with is not None for k in kills) // 2,
            "recovery_seconds": _spread([k.recovered_after for k in kills if k.recovered_after is not None]),
            "per_component": per_component,
            "each": [
                {
                    "component": k.component,
                    "at_seconds": round(k.at - began, 1),
                    "overlapped_with": k.overlapped_with,
                    "outage_observed": k.outage_observed,
                    "recovered_after_seconds": None if k.recovered_after is None else round(k.recovered_after, 2),
                }
                for k in kills
            ],
        },
        "load": log.summary(),
        "answers": dict(sorted(log.statuses.items())),
        "unavailable_503": {
            "with_retry_after": dict(log.unavailable_with_retry_after),
            "without_retry_after": dict(log.unavailable_without_retry_after),
        },
        "server_errors": log.server_errors[:20],
        "server_error_count": len(log.server_errors),
        "checks": checks,
        "crashes_when_ready": {n: c.exits_when_ready[:3] for n, c in components.items() if c.exits_when_ready},
    }


def render(report: dict[str, Any]) -> str:
    kills, load = report["kills"], report["load"]
    lines = [
        f"chaos run: {report['seconds']:.0f} s, {kills['total']} kills "
        f"({kills['overlapping_pairs']} overlapping pairs)",
        f"{'component':<10} {'kills':>5} {'overlap':>7} {'recover p50':>11} {'max':>7} {'start exits':>11}"
        "  outage seen",
    ]
    for name, c in kills["per_component"].items():
        rec = c["recovery_seconds"]
        p50 = "-" if rec["p50"] is None else f"{rec['p50']:.1f}s"
        top = "-" if rec["max"] is None else f"{rec['max']:.1f}s"
        seen = "; ".join(c["outages_observed"]) or "-"
        lines.append(
            f"{name:<10} {c['kills']:>5} {c['overlapping']:>7} {p50:>11} {top:>7} {c['exits_at_start']:>11}  {seen}"
        )
    rec = kills["recovery_seconds"]
    lines.append(f"{'all':<10} {kills['total']:>5} {'':>7} {rec['p50'] or 0:>10.1f}s {rec['max'] or 0:>6.1f}s")
    lines.append(
        f"commands: sent {load['commands_sent']}, accepted {load['commands_accepted']}, refused (4xx) "
        f"{load['commands_refused_4xx']}, retried {load['commands_retried']} ({load['command_attempts']} attempts); "
        f"reads {load['reads_sent']} ({load['read_attempts']} attempts)"
    )
    unavailable = report["unavailable_503"]
    lines.append(
        f"503 with Retry-After: {unavailable['with_retry_after']}; without: {unavailable['without_retry_after']}; "
        f"500s: {report['server_error_count']}"
    )
    checks = report["checks"]
    lines.append(f"store: {checks['events_in_store']} events; publication audit: {checks['audit']}")
    for name, problems in checks["problems"].items():
        lines.append(f"check {name}: {'ok' if not problems else f'{len(problems)} problem(s): {problems[:3]}'}")
    return "\n".join(lines)


def save(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str))
