"""How `python -m command_service.relay status` shows a `RelayStatus`: a table of a few lines
for an 80-column terminal, or one JSON object for scripts."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from command_service.relay.status import RelayStatus


def status_table(s: RelayStatus) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    table.add_column("relay", overflow="fold")
    table.add_column(f"{s.name} on database {s.database}", overflow="fold")  # a long name wraps, is not cut
    table.add_row(
        "leader", f"held (PostgreSQL backend {s.leader_pid})" if s.leader else "none: no relay holds the lock"
    )
    table.add_row("checkpoint", _checkpoint(s))
    table.add_row("head", f"{s.head:,}")
    lag = f"{s.lag:,} events, oldest {s.lag_seconds:,.1f} s ago" if s.lag else "0 events"
    table.add_row("lag", lag, style="yellow" if s.lag else None)
    table.add_row("events", f"{s.events:,}")
    return table


def _checkpoint(s: RelayStatus) -> str:
    if s.checkpoint_saved_at is None:
        return "none: nothing published yet"
    saved = f"{s.checkpoint_saved_at:%Y-%m-%d %H:%M:%S}Z"
    return f"{s.checkpoint.position:,} (tx {s.checkpoint.tx_id:,}), saved {saved}"


def status_json(s: RelayStatus) -> dict[str, Any]:
    saved = s.checkpoint_saved_at.isoformat() if s.checkpoint_saved_at else None
    return {
        "name": s.name,
        "database": s.database,
        "leader": s.leader,
        "leader_pid": s.leader_pid,
        "checkpoint": {"tx_id": s.checkpoint.tx_id, "position": s.checkpoint.position, "saved_at": saved},
        "head": s.head,
        "lag": s.lag,
        "lag_seconds": s.lag_seconds,
        "events": s.events,
    }
