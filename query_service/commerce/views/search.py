"""Order search over the `order_search` read model: `q` by stored tokens (and order-id
prefixes, `shared.commerce.read_models.term_clauses`), filters,
newest first. The most selective filter present drives the query through its own
index; the others filter the fetched documents. An equality-led query goes unhinted (the
planner takes that equality's index, `query_service.reads.paging`); one led by a range alone
(no filter, or totals) hints `by_time` / `by_total`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from query_service.commerce.views.customers import key_range
from query_service.reads import Page, PageQuery, fetch_page
from shared.commerce.read_models import ORDER_SEARCH, query_terms, term_clauses
from shared.read_models import CollectionResolver

_RESULT_FIELDS = {
    "_id": 0,
    "order_id": 1,
    "customer_id": 1,
    "status": 1,
    "city_name": 1,
    "pincode": 1,
    "payment_method": 1,
    "total_paise": 1,
    "placed_at": 1,
    "version": 1,
    "sort_key": 1,
}


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None
    status: str | None = None
    city: str | None = None
    pincode: str | None = None
    payment_method: str | None = None
    min_total: int | None = None
    max_total: int | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None


def build_query(filters: SearchFilters, cursor: str | None, limit: int) -> PageQuery:
    query: dict[str, Any] = {}
    clauses: list[dict[str, Any]] = []
    terms = query_terms(filters.q or "")
    # Most selective first: the first one present drives the query.
    index = "by_time"
    for name, value, clause in (
        ("by_token", terms, [clause for term in terms for clause in term_clauses(term)]),
        ("by_pincode", filters.pincode, [{"pincode": filters.pincode}]),
        ("by_city", filters.city, [{"city": (filters.city or "").strip().lower()}]),
        ("by_status", filters.status, [{"status": filters.status}]),
        ("by_payment_method", filters.payment_method, [{"payment_method": filters.payment_method}]),
    ):
        if value:
            clauses.extend(clause)
            if index == "by_time":
                index = name
    totals: dict[str, int] = {}
    if filters.min_total is not None:
        totals["$gte"] = filters.min_total
    if filters.max_total is not None:
        totals["$lte"] = filters.max_total
    if totals:
        clauses.append({"total_paise": totals})
        if index == "by_time" and not (filters.placed_from or filters.placed_to):
            index = "by_total"
    if bounds := key_range(cursor, filters.placed_from, filters.placed_to):
        clauses.append({"sort_key": bounds})
    if len(clauses) == 1:
        query = clauses[0]
    elif clauses:
        query = {"$and": clauses}
    return PageQuery(query, "sort_key", True, index, limit, hint=index in ("by_time", "by_total"))


async def search_orders(
    db: AsyncDatabase[Any], resolver: CollectionResolver, filters: SearchFilters, *, limit: int, cursor: str | None
) -> Page:
    collection = db[await resolver.live(ORDER_SEARCH)]
    page = await fetch_page(collection, build_query(filters, cursor, limit), _RESULT_FIELDS)
    for item in page.items:
        item["city"] = item.pop("city_name", None)  # as written in the address, not the lowercase key
    return page
