"""How `status` shows where the projections stand, in an 80-column terminal: one row per
projection (its live collection, total lag in events and seconds, parked events, rebuild),
a line per rebuild with its full collection name and progress, and on request a table of
partitions. Pure functions of `ProjectionStatus` values; the command prints what they return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from projector_service.live import PartitionLag, ProjectionStatus


def status_view(statuses: Sequence[ProjectionStatus], *, partitions: bool = False) -> RenderableType:
    """The projections table, the rebuild lines and (with `partitions`) the partitions table."""
    parts: list[RenderableType] = [projections_table(statuses)]
    parts += rebuild_lines(statuses)
    if partitions:
        parts += [Text(), partitions_table(statuses)]
    return Group(*parts)


def projections_table(statuses: Sequence[ProjectionStatus]) -> Table:
    table = _table("projection", "live", "lag", "lag s", "parked", "rebuild", left=("live", "rebuild"))
    for s in statuses:
        table.add_row(
            s.projection,
            short_collection(s.projection, s.collection),
            f"{s.lag:,}",
            f"{s.lag_seconds:,.1f}",
            f"{s.parked:,}",
            rebuild_summary(s),
            style="red" if s.abandoned else "yellow" if s.lag else None,
        )
    return table


def partitions_table(statuses: Sequence[ProjectionStatus]) -> Table:
    """A row per projection (its totals) with its partitions indented below it."""
    table = _table("projection / partition", "committed", "end", "lag", "lag s")
    for s in statuses:
        table.add_row(s.projection, "", "", f"{s.lag:,}", f"{s.lag_seconds:,.1f}", style="bold")
        for p in s.partitions:
            table.add_row(*_partition_cells(p), style="yellow" if p.lag else None)
        if not s.partitions:
            table.add_row("  (no partitions: no topic yet)", "", "", "", "")
    return table


def _partition_cells(p: PartitionLag) -> tuple[str, ...]:
    committed = "-" if p.committed is None else f"{p.committed:,}"
    return f"  {p.topic}[{p.partition}]", committed, f"{p.end:,}", f"{p.lag:,}", f"{p.lag_seconds:,.1f}"


def short_collection(projection: str, collection: str) -> str:
    """`order_view__v3` of `order_view` as `v3`, the read model's own name as `base`; any other name whole."""
    if collection == projection:
        return "base"
    prefix = f"{projection}__"
    return collection.removeprefix(prefix) if collection.startswith(prefix) else collection


def rebuild_summary(s: ProjectionStatus) -> str:
    """`v4 30%` while catching up, `v4 building indexes` in a later phase, `ABANDONED`, or `-`."""
    running = [_running_summary(s.projection, r) for r in s.rebuilds]
    return " ".join(running + (["ABANDONED"] if s.abandoned else [])) or "-"


def _running_summary(projection: str, rebuild: dict[str, Any]) -> str:
    target = short_collection(projection, rebuild["collection"])
    if rebuild["phase"] == "catching up" and rebuild["total"]:
        return f"{target} {rebuild['consumed'] / rebuild['total']:.0%}"
    return f"{target} {rebuild['phase']}"


def rebuild_lines(statuses: Sequence[ProjectionStatus]) -> list[Text]:
    """A line per rebuild: the target collection by its full name, its phase and progress."""
    lines: list[Text] = []
    for s in statuses:
        for r in s.rebuilds:
            progress = f" {r['consumed']:,}/{r['total']:,}" if r["total"] else ""
            lines.append(Text(f"rebuild {r['collection']}: {r['phase']}{progress}"))
        for r in s.abandoned:
            heartbeat = f"{r['heartbeat']:%Y-%m-%d %H:%M:%S}Z"
            lines.append(Text(f"rebuild {r['collection']} ABANDONED: last heartbeat {heartbeat}", style="red"))
    return lines


def _table(*headers: str, left: tuple[str, ...] = ()) -> Table:
    """Names on the left (the first column and `left`), numbers on the right. No vertical rules
    and no outer padding: six columns keep 70 of 80 characters for their text. A cell too long
    for the terminal folds onto a second line rather than being cut."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 0 or header in left else "right", overflow="fold")
    return table
