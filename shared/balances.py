"""Time-aware balances, the read-model contract both writers (projections) and readers (views)
keep: "the balance as of T" is answered from stored history, never by replaying events at
query time. Generic: a context with a balance (a wallet, a bank account) keeps

- in its view, the balance after each of its last `RECENT_BALANCES` events (`_balances`:
  [`time_key` of the event, version, balance after, event type, occurred_at] each, in
  `entry_sort_key` order; `_balances_from_opening` says none was dropped yet, so the first is
  the opening), so a recent moment is one read by id;
- a balance history: one document per event (`entry_id`), keyed for the query by `sort_key`
  (`entry_sort_key`), with the balance after it, indexed by owner and `sort_key` descending.

Each event of such a stream carries its balance after it, so each entry stands alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from shared.manifest import IndexKeys

RECENT_BALANCES = 16
"""How many of its latest balances a view keeps (`_balances`)."""


def time_key(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the time itself."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_sort_key(occurred_at: datetime, stream_id: str, version: int) -> str:
    """The stream version breaks ties between events of one moment (a transfer's two sides
    differ by stream id); zero-padded so that it sorts as a number."""
    return f"{time_key(occurred_at)}|{stream_id}:{version:012d}"


def entry_id(stream_id: str, version: int) -> str:
    """The statement and balance-history document of the stream's event at `version` (the query
    service waits for it under this id)."""
    return f"{stream_id}:{version}"


def history_index(owner_field: str) -> IndexKeys:
    """The index of a balance history's one query: an owner's newest entry at or before a key."""
    return [(owner_field, 1), ("sort_key", -1)]
