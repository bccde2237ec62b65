"""`python -m command_service.relay status` as an operator reads it: a few lines that fit an
80-column terminal with nothing cut or folded, and the JSON object scripts read."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from rich.console import Console

from command_service.relay.feed import Checkpoint
from command_service.relay.status import RelayStatus
from command_service.relay.status_view import status_json, status_table

SAVED = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
BEHIND = RelayStatus(
    name="main-relay-eu-west",
    database="bahi_production_ledger",
    checkpoint=Checkpoint(tx_id=9_876_543_210, position=987_654_321),
    checkpoint_saved_at=SAVED,
    head=987_700_000,
    lag=45_679,
    lag_seconds=3_725.25,
    events=987_123_456,
    leader_pid=2_147_483,
)
FRESH = RelayStatus("main", "bahi", Checkpoint(), None, head=0, lag=0, lag_seconds=0.0, events=0, leader_pid=None)


def lines(status: RelayStatus) -> list[str]:
    console = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    console.print(status_table(status))
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_the_table_fits_80_columns_one_line_per_field() -> None:
    shown = lines(BEHIND)
    assert all(len(line) <= 80 for line in shown) and not any("…" in line for line in shown)
    assert shown[0].split() == ["relay", "main-relay-eu-west", "on", "database", "bahi_production_ledger"]
    assert [line.split(maxsplit=1) for line in shown[2:]] == [
        ["leader", "held (PostgreSQL backend 2147483)"],
        ["checkpoint", "987,654,321 (tx 9,876,543,210), saved 2025-03-04 05:06:07Z"],
        ["head", "987,700,000"],
        ["lag", "45,679 events, oldest 3,725.2 s ago"],
        ["events", "987,123,456"],
    ]


def test_a_store_nothing_was_published_from_says_so() -> None:
    assert [line.split(maxsplit=1) for line in lines(FRESH)[2:]] == [
        ["leader", "none: no relay holds the lock"],
        ["checkpoint", "none: nothing published yet"],
        ["head", "0"],
        ["lag", "0 events"],
        ["events", "0"],
    ]


def test_the_json_has_every_number() -> None:
    assert json.loads(json.dumps(status_json(BEHIND))) == {
        "name": "main-relay-eu-west",
        "database": "bahi_production_ledger",
        "leader": True,
        "leader_pid": 2_147_483,
        "checkpoint": {"tx_id": 9_876_543_210, "position": 987_654_321, "saved_at": "2025-03-04T05:06:07.891011+00:00"},
        "head": 987_700_000,
        "lag": 45_679,
        "lag_seconds": 3_725.25,
        "events": 987_123_456,
    }
    assert status_json(FRESH)["checkpoint"] == {"tx_id": 0, "position": 0, "saved_at": None}
    assert status_json(FRESH)["leader"] is False
