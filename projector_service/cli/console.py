"""How the CLI shows things: the rebuild progress bars (events/s, ETA against the end
captured at the start) and the parked events (`status` has its own module, `status_view`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from projector_service.rebuild import Progress as RebuildProgress
from projector_service.rebuild import RebuildResult

console = Console(stderr=True)
out = Console()


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>9,.0f} events/s", style="cyan")


class RebuildBars:
    """One bar per projection being rebuilt."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[phase]}"),
            console=console,
            speed_estimate_period=10.0,
        )
        self._tasks: dict[str, Any] = {}

    def update(self, p: RebuildProgress) -> None:
        task = self._tasks.get(p.projection)
        if task is None:
            task = self._tasks[p.projection] = self.progress.add_task(p.projection, total=p.total, phase=p.phase)
        self.progress.update(task, completed=p.consumed, total=max(p.total, 1), phase=p.phase)


def rebuilt(results: Sequence[RebuildResult]) -> Table:
    table = Table(
        "projection", "live now", "replaced", "events", "to switch", "events/s", "parked", "old dropped after"
    )
    for r in results:
        rate = r.events / r.seconds_to_switch if r.seconds_to_switch else 0.0
        table.add_row(
            r.projection,
            r.collection,
            r.replaced,
            f"{r.events:,}",
            f"{r.seconds_to_switch:.1f} s",
            f"{rate:,.0f}",
            str(r.parked),
            f"{r.drop_due:%H:%M:%S}Z",
        )
    return table


def parked_table(items: Sequence[dict[str, Any]]) -> Table:
    table = Table("projection", "collection", "stream", "seq", "status", "event", "version", "from", "error")
    for doc in items:
        origin = f"{doc['topic']}[{doc['partition']}]@{doc['offset']}"
        error = doc["error"] or f"held behind {doc['behind']}"
        table.add_row(
            doc["projection"],
            doc["collection"],
            str(doc["stream_id"]),
            str(doc["seq"]),
            doc["status"],
            doc["event_type"] or "?",
            str(doc["version"] or "?"),
            origin,
            error[:120],
            style="red" if doc["status"] == "failed" else None,
        )
    return table
