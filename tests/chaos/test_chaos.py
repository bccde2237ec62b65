"""The short chaos run, part of `make test`: every component (relay, projector, process
managers, command service, query service, Kafka, the MongoDB stand-in, PostgreSQL) SIGKILLed and
restarted at least 5 times under one steady load, some two at once, at points chosen by observed
progress; then nothing lost (tests/chaos/verdict.py lists what must hold). `make chaos` is the
long run (20 kills each). Its own servers: the shared infrastructure is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.run import chaos_run
from tests.chaos.settings import ChaosSettings
from tests.chaos.verdict import failures

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.timeout(3600)  # progress-bound inside (every wait fails once nothing moves); this is a backstop
async def test_every_component_killed_five_times_under_load_and_nothing_is_lost(tmp_path: Path) -> None:
    settings = ChaosSettings(kills_each=5)
    report = await chaos_run(settings, tmp_path / "chaos-report.json")
    assert failures(report, settings) == []
