"""Writing time-aware balances (`shared.balances`): the recent balances a view keeps, and the
balance history's entry per event. Pure; generic (the wallet view and history, the bank account
view and history, each names its own owner field)."""

from __future__ import annotations

from datetime import datetime

from projector_service.engine.projection import Document
from shared.balances import RECENT_BALANCES, entry_id, entry_sort_key, time_key


def with_recent_balance(doc: Document, at: datetime, version: int, balance: int, event_type: str) -> Document:
    """The view's recent balances with this event's, in sort-key order; the oldest dropped past
    the bound (a late, earlier-dated event sorts before later ones, never last)."""
    entries = [*doc.get("_balances", []), [time_key(at), version, balance, event_type, at]]
    entries.sort(key=lambda e: (e[0], e[1]))  # one stream's `entry_sort_key` order
    complete = doc.get("_balances_from_opening", True) and len(entries) <= RECENT_BALANCES
    return {**doc, "_balances": entries[-RECENT_BALANCES:], "_balances_from_opening": complete}


def history_entry(
    owner_field: str, stream_id: str, version: int, at: datetime, event_type: str, balance: int, *, opening: bool
) -> Document:
    """The balance-history document of the stream's event at `version`: the balance after it."""
    return {
        "_id": entry_id(stream_id, version),
        owner_field: stream_id,
        "sort_key": entry_sort_key(at, stream_id, version),
        "occurred_at": at,
        "event": event_type,
        "opening": opening,
        "balance_after_paise": balance,
    }


def balance_stamp(event: object) -> tuple[datetime, int] | None:
    """(occurred_at, balance after) of an event of a stream with a balance; None for an event
    that carries no balance (an index stream's)."""
    at = getattr(event, "occurred_at", None)
    balance = getattr(event, "balance_after_paise", None)
    if not isinstance(at, datetime) or not isinstance(balance, int):
        return None
    return at, balance
