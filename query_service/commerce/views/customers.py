"""A customer's orders (newest first, keyset cursor) and their summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import Page, PageQuery, decode_cursor, fetch_page
from shared.commerce.read_models import CUSTOMER_ORDERS, CUSTOMER_SUMMARY, time_key, upper_time_bound
from shared.read_models import CollectionResolver

_LIST_FIELDS = {
    "_id": 0,
    "order_id": 1,
    "client_order_id": 1,
    "status": 1,
    "placed_at": 1,
    "updated_at": 1,
    "total_paise": 1,
    "item_count": 1,
    "payment_method": 1,
    "version": 1,
    "sort_key": 1,
}


def key_range(cursor: str | None, placed_from: datetime | None, placed_to: datetime | None) -> dict[str, str]:
    """The sort-key bounds of a newest-first page: one range on one field."""
    bounds: dict[str, str] = {}
    uppers = [upper_time_bound(placed_to)] if placed_to else []
    if cursor:
        uppers.append(decode_cursor(cursor))
    if uppers:
        bounds["$lt"] = min(uppers)
    if placed_from:
        bounds["$gte"] = time_key(placed_from)
    return bounds


async def list_customer_orders(
    db: AsyncDatabase[Any],
    resolver: CollectionResolver,
    customer_id: str,
    *,
    status: str | None,
    placed_from: datetime | None,
    placed_to: datetime | None,
    limit: int,
    cursor: str | None,
) -> Page:
    query: dict[str, Any] = {"customer_id": customer_id}
    if status:
        query["status"] = status
    if bounds := key_range(cursor, placed_from, placed_to):
        query["sort_key"] = bounds
    index = "by_customer_status" if status else "by_customer"
    collection = db[await resolver.live(CUSTOMER_ORDERS)]
    return await fetch_page(collection, PageQuery(query, "sort_key", True, index, limit), _LIST_FIELDS)


async def order_version(db: AsyncDatabase[Any], resolver: CollectionResolver, order_id: str) -> int:
    doc = await db[await resolver.live(CUSTOMER_ORDERS)].find_one({"_id": order_id}, {"version": 1})
    return int(doc["version"]) if doc else 0


class CategorySpend(BaseModel):
    category: str
    spend_paise: int


class CustomerSummaryView(BaseModel):
    customer_id: str
    order_count: int
    lifetime_value_paise: int
    average_order_value_paise: int
    counts_by_status: dict[str, int]
    top_categories: list[CategorySpend]
    first_order_at: datetime | None
    last_order_at: datetime | None
    cancellation_rate: float
    version: int


async def get_summary(
    db: AsyncDatabase[Any], resolver: CollectionResolver, customer_id: str
) -> tuple[CustomerSummaryView | None, dict[str, int]]:
    """The summary, and the version applied per order stream (for read-your-writes)."""
    doc = await db[await resolver.live(CUSTOMER_SUMMARY)].find_one({"_id": customer_id}, {"_orders": 0})
    if doc is None:
        return None, {}
    return CustomerSummaryView.model_validate(doc), dict(doc.get("_applied", {}))
