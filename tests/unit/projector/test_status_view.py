"""`python -m projector_service status` as an operator reads it: one line per projection in an
80-column terminal (nothing cut, nothing folded onto a second line), the rebuilds by their full
names, the partitions on request, and the JSON with totals. Rendered from synthetic statuses."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from rich.console import Console, RenderableType

from projector_service.cli.status_view import projections_table, rebuild_summary, short_collection, status_view
from projector_service.live import PartitionLag, ProjectionStatus

# This repository's projections and a few longer names of the same kind.
NAMES = [
    "order_view",
    "product_view",
    "customer_orders",
    "customer_summary",
    "order_search",
    "order_steps",
    "wallet_view",
    "wallet_statement",
    "wallet_entries",
    "wallet_headroom",
    "wallet_settlements",
    "balance_history",
    "merchant_settlements",
    "wallet_balance_history",
]
HEARTBEAT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def lagging(name: str, n: int) -> ProjectionStatus:
    """Three partitions far into their topic, two of them behind; a live collection rebuilt n times."""
    topic = "bahi.wallet.events" if "wallet" in name or "balance" in name else "bahi.order.events"
    parts = [
        PartitionLag(topic, p, 98_765_432 - 1_234_567 * p, 98_765_432, 1_234_567 * p, 3_599.5 * p) for p in range(3)
    ]
    return ProjectionStatus(name, f"bahi.projector.{name}", f"{name}__v{n}", parts, parked=12_345)


def statuses() -> list[ProjectionStatus]:
    all_ = [lagging(name, 10 + i) for i, name in enumerate(NAMES)]
    all_[0].collection = "order_view"  # never rebuilt
    all_[1].partitions = []  # its topic does not exist yet
    all_[2].rebuilds = [
        {"collection": "customer_orders__v13", "phase": "catching up", "consumed": 12_000, "total": 40_000}
    ]
    longest = all_[-1]
    longest.rebuilds = [
        {"collection": "wallet_balance_history__v24", "phase": "building indexes", "consumed": 4, "total": 4}
    ]
    all_[-2].abandoned = [{"collection": "merchant_settlements__v99", "phase": "catching up", "heartbeat": HEARTBEAT}]
    return all_


def lines(renderable: RenderableType) -> list[str]:
    console = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_one_line_per_projection_fits_80_columns_and_nothing_is_cut() -> None:
    shown = lines(projections_table(statuses()))
    assert all(len(line) <= 80 for line in shown), max(shown, key=len)
    assert not any("…" in line for line in shown)
    header, rows = shown[0], shown[2:]
    assert header.split() == ["projection", "live", "lag", "lag", "s", "parked", "rebuild"]
    assert len(rows) == len(NAMES)  # no cell folded onto a second line
    longest = rows[-1].split()
    assert longest == ["wallet_balance_history", "v23", "3,703,701", "7,199.0", "12,345", "v24", "building", "indexes"]


def test_a_row_says_which_collection_is_live_and_how_its_rebuild_goes() -> None:
    rows = {line.split()[0]: line.split()[1:] for line in lines(projections_table(statuses()))[2:]}
    assert rows["order_view"][0] == "base" and rows["order_view"][-1] == "-"
    assert rows["product_view"][:4] == ["v11", "0", "0.0", "12,345"]  # no partitions: no lag
    assert rows["customer_orders"][-2:] == ["v13", "30%"]
    assert rows["merchant_settlements"][-1] == "ABANDONED"


def test_the_rebuild_lines_name_the_collections_in_full() -> None:
    shown = lines(status_view(statuses()))
    assert shown[-3:] == [
        "rebuild customer_orders__v13: catching up 12,000/40,000",
        "rebuild merchant_settlements__v99 ABANDONED: last heartbeat 2025-03-04 05:06:07Z",
        "rebuild wallet_balance_history__v24: building indexes 4/4",
    ]


def test_the_partitions_show_under_their_projection_within_80_columns() -> None:
    all_ = statuses()
    shown = lines(status_view(all_, partitions=True))
    assert all(len(line) <= 80 for line in shown) and not any("…" in line for line in shown)
    detail = shown[shown.index(next(line for line in shown if line.startswith("projection / partition"))) + 2 :]
    assert len(detail) == len(all_) + sum(len(s.partitions) or 1 for s in all_)  # one line each, none folded
    at = detail.index(next(line for line in detail if line.startswith("wallet_balance_history")))
    assert detail[at].split() == ["wallet_balance_history", "3,703,701", "7,199.0"]
    assert detail[at + 3].split() == ["bahi.wallet.events[2]", "96,296,298", "98,765,432", "2,469,134", "7,199.0"]
    at = detail.index(next(line for line in detail if line.startswith("product_view")))
    assert detail[at + 1].strip() == "(no partitions: no topic yet)"


def test_the_collection_is_shortened_only_when_it_is_the_projections_own() -> None:
    assert short_collection("order_view", "order_view") == "base"
    assert short_collection("order_view", "order_view__v3") == "v3"
    assert short_collection("order_view", "orders_legacy") == "orders_legacy"
    assert rebuild_summary(ProjectionStatus("a", "g", "a")) == "-"


def test_the_json_of_a_projection_has_its_totals_and_partitions() -> None:
    status = lagging("order_view", 3)
    status.abandoned = [{"collection": "order_view__v4", "heartbeat": HEARTBEAT}]
    shown = json.loads(json.dumps(status.as_dict(), default=str))
    assert (shown["lag"], shown["lag_seconds"]) == (3_703_701, 7_199.0)
    assert [p["lag"] for p in shown["partitions"]] == [0, 1_234_567, 2_469_134]
    assert shown["collection"] == "order_view__v3" and shown["parked"] == 12_345
    assert shown["abandoned"][0]["heartbeat"] == "2025-03-04 05:06:07+00:00"
