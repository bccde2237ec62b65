"""Reading time-aware balances (`shared.balances`): the balance at a moment from a view's recent
balances (one read by id, done by the caller) or, for an older moment, from the balance
history (one indexed query: the owner's newest entry at or before the moment), never by a
replay. Generic: each context wraps the answer in its own view (a wallet's, an account's)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.balances import time_key


@dataclass(frozen=True)
class BalanceAt:
    balance_paise: int
    since: datetime
    """When the balance became this: the time of the event that left it so."""
    version: int
    """That event's version in the stream."""
    event: str


class BeforeOpening(LookupError):
    """The owner exists, but not yet at the moment asked."""

    def __init__(self, opened_at: datetime) -> None:
        super().__init__(opened_at)
        self.opened_at = opened_at


_FIELDS = {"_id": 0, "balance_after_paise": 1, "occurred_at": 1, "version": 1, "event": 1}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recent_balance(view: Mapping[str, Any], as_of: datetime | None) -> BalanceAt | None:
    """The balance at `as_of` (None: the latest) from the view's recent balances (`_balances`),
    when they reach back to it; None when the moment is older than they are (the history
    answers); raises `BeforeOpening` for a moment before the opening."""
    entries = view.get("_balances")
    if not entries:
        return None
    found = entries[-1]
    if as_of is not None:
        # The entries are in sort-key order, time first: those timed at or before `as_of` are
        # exactly those whose sort key the history's bound (`time_key(as_of) + "}"`) admits.
        at = bisect_right(entries, time_key(as_of), key=lambda e: e[0])
        if at == 0:
            if view.get("_balances_from_opening"):
                raise BeforeOpening(_utc(entries[0][4]))
            return None
        found = entries[at - 1]
    _, version, balance, event, occurred_at = found
    return BalanceAt(balance, _utc(occurred_at), version, event)


async def history_balance(
    history: AsyncCollection[Any], owner_field: str, owner_id: str, as_of: datetime | None
) -> BalanceAt | None:
    """The balance after the owner's last event at or before `as_of` (one indexed query), None
    for an unknown owner; raises `BeforeOpening` for a moment before its first entry."""
    query: dict[str, Any] = {owner_field: owner_id}
    if as_of is not None:
        query["sort_key"] = {"$lt": time_key(as_of) + "}"}  # "}" sorts after "|": every key at `as_of` is in
    doc = await first(history, query, ("sort_key", -1), _FIELDS)
    if doc is not None:
        return BalanceAt(doc["balance_after_paise"], _utc(doc["occurred_at"]), doc["version"], doc["event"])
    if as_of is not None:
        opening = await first(history, {owner_field: owner_id}, ("sort_key", 1), _FIELDS)
        if opening is not None:
            raise BeforeOpening(_utc(opening["occurred_at"]))
    return None


async def first(
    collection: AsyncCollection[Any], query: dict[str, Any], order: tuple[str, int], fields: dict[str, int]
) -> dict[str, Any] | None:
    """The first document in `order`. Not hinted: the planner picks the owner's time index for
    this filter and sort, and a hint made the Python MongoDB stand-in scan the whole index (300 ms
    instead of 1 ms at 12,000 documents; tests/bench/bench_wallets.py probes both)."""
    found = await collection.find(query, fields).sort(*order).limit(1).to_list()
    return found[0] if found else None
