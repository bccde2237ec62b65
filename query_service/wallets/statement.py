"""A wallet's statement over the `wallet_statement` read model: newest first by `sort_key`, one
range on it for the cursor and the `from`/`to` window (both inclusive), the kind filter through
its own index. A cursor is the last key shown, so entries recorded after the first page was
read never shift the pages that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import Page, PageQuery, decode_cursor, fetch_page
from shared.read_models import CollectionResolver
from shared.wallets.read_models import WALLET_STATEMENT, time_key

_HIDDEN = {"_id": 0, "wallet_id": 0, "month": 0, "day": 0, "position": 0}


@dataclass(frozen=True)
class StatementFilters:
    start: datetime | None = None
    end: datetime | None = None
    kind: str | None = None


def build_query(wallet_id: str, filters: StatementFilters, cursor: str | None, limit: int) -> PageQuery:
    query: dict[str, Any] = {"wallet_id": wallet_id}
    if filters.kind:
        query["kind"] = filters.kind
    bounds: dict[str, str] = {}
    uppers = [time_key(filters.end) + "}"] if filters.end else []  # "}" sorts after the "|" of every key at `end`
    if cursor:
        uppers.append(decode_cursor(cursor))
    if uppers:
        bounds["$lt"] = min(uppers)
    if filters.start:
        bounds["$gte"] = time_key(filters.start)
    if bounds:
        query["sort_key"] = bounds
    index = "by_wallet_kind" if filters.kind else "by_wallet"
    return PageQuery(query, "sort_key", True, index, limit)


async def list_statement(
    db: AsyncDatabase[Any],
    resolver: CollectionResolver,
    wallet_id: str,
    filters: StatementFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page:
    collection = db[await resolver.live(WALLET_STATEMENT)]
    return await fetch_page(collection, build_query(wallet_id, filters, cursor, limit), _HIDDEN)
