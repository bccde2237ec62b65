"""What a chaos run must show, over its report: the same for the short run in `make test`
(tests/chaos/test_chaos.py) and the long one (`make chaos`)."""

from __future__ import annotations

from typing import Any

from tests.chaos.settings import ChaosSettings


def failures(report: dict[str, Any], settings: ChaosSettings) -> list[str]:
    found = []
    for name, component in report["kills"]["per_component"].items():
        if component["kills"] < settings.kills_each:
            found.append(f"{name} killed {component['kills']} times, {settings.kills_each} wanted")
    if report["kills"]["overlapping_pairs"] < 1:
        found.append("no two components were down at once")
    for check, problems in report["checks"]["problems"].items():
        if problems:
            found.append(f"{check}: {len(problems)} problem(s), e.g. {problems[:3]}")
    if report["server_error_count"]:
        found.append(f"{report['server_error_count']} server errors (500), e.g. {report['server_errors'][:3]}")
    unavailable = report["unavailable_503"]
    for service, store in (("command", "PostgreSQL"), ("query", "MongoDB")):
        if not unavailable["with_retry_after"].get(service):
            found.append(f"the {service} service never answered 503 with Retry-After while {store} was down")
    if unavailable["without_retry_after"]:
        found.append(f"503s without Retry-After: {unavailable['without_retry_after']}")
    if report["crashes_when_ready"]:
        found.append(f"processes that exited on their own once ready: {report['crashes_when_ready']}")
    return found
