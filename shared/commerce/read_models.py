"""The commerce context's read-model contract, shared by the projector (writer) and the
query service (reader): read-model names, index specs (by name, so readers can hint
them), the sort key used by every cursor, and the search tokenizer.

Lists are ordered newest first by `sort_key` = placed_at (UTC, fixed width) + "|" +
order id: a single string, so a cursor is one range bound and stays stable when
newer orders arrive. Search matches stored lowercase tokens, never `$text` (the
MongoDB stand-in has no text index).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from shared.manifest import IndexKeys, ReadModel

ORDER_VIEW = "order_view"
PRODUCT_VIEW = "product_view"
CUSTOMER_ORDERS = "customer_orders"
CUSTOMER_SUMMARY = "customer_summary"
ORDER_SEARCH = "order_search"

# read model -> {index name: keys}. The projector creates them; views hint them by name.
INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    CUSTOMER_ORDERS: {
        "by_customer": [("customer_id", 1), ("sort_key", -1)],
        "by_customer_status": [("customer_id", 1), ("status", 1), ("sort_key", -1)],
    },
    ORDER_SEARCH: {
        "by_token": [("tokens", 1), ("sort_key", -1)],
        "by_pincode": [("pincode", 1), ("sort_key", -1)],
        "by_city": [("city", 1), ("sort_key", -1)],
        "by_status": [("status", 1), ("sort_key", -1)],
        "by_payment_method": [("payment_method", 1), ("sort_key", -1)],
        "by_total": [("total_paise", 1), ("sort_key", -1)],
        "by_time": [("sort_key", -1)],
    },
    PRODUCT_VIEW: {
        "by_category": [("category", 1), ("_id", 1)],
        "by_category_in_stock": [("category", 1), ("in_stock", 1), ("_id", 1)],
        "by_in_stock": [("in_stock", 1), ("_id", 1)],
    },
}

READ_MODELS = tuple(
    ReadModel(name, INDEX_SPECS.get(name, {}))
    for name in (ORDER_VIEW, PRODUCT_VIEW, CUSTOMER_ORDERS, CUSTOMER_SUMMARY, ORDER_SEARCH)
)

ID_PREFIX_LENGTHS = (6, 9, 12)
"""The order-id prefixes stored as tokens (besides the whole id). A longer prefix is found through
the longest stored one it starts with, then checked against `id_key`: four index entries per
order instead of one per prefix length (31 for a server-made id), which made the search view
the most expensive document the projector writes."""
_WORD = re.compile(r"[a-z0-9]+")


def time_key(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the time itself."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def sort_key(placed_at: datetime, order_id: str) -> str:
    return f"{time_key(placed_at)}|{order_id}"


def upper_time_bound(moment: datetime) -> str:
    """Greater than every sort key placed at or before `moment` ("}" sorts after "|")."""
    return time_key(moment) + "}"


def id_key(order_id: str) -> str:
    """The order id as `q` matches its prefixes (stored beside the tokens, not indexed)."""
    return order_id.lower()


def search_tokens(*, order_id: str, customer_id: str, skus: list[str], names: list[str]) -> list[str]:
    """What `q` can match through the index: the customer id, the order id and its prefixes of
    `ID_PREFIX_LENGTHS`, SKUs and the words of item names."""
    key = id_key(order_id)
    tokens = {customer_id.lower(), key, *(sku.lower() for sku in skus)}
    tokens.update(key[:n] for n in ID_PREFIX_LENGTHS if n <= len(key))
    for name in names:
        tokens.update(_WORD.findall(name.lower()))
    return sorted(tokens)


def term_clauses(term: str) -> list[dict[str, Any]]:
    """The filter for one `q` term (lowercase): a document matches if the term is one of its
    tokens or, six characters or longer, a prefix of its order id. The first clause is an
    index condition on `tokens` (by_token); the second, when there is one, is checked on the
    documents that condition found."""
    stored = max((n for n in ID_PREFIX_LENGTHS if n <= len(term)), default=0)
    if stored in (0, len(term)):
        return [{"tokens": term}]  # no prefix to look for, or one stored as a token
    return [
        {"tokens": {"$in": [term, term[:stored]]}},
        {"$or": [{"tokens": term}, {"id_key": {"$gte": term, "$lt": term + "\uffff"}}]},
    ]


def query_terms(q: str) -> list[str]:
    """`q` as tokens: whitespace-separated, lowercase, de-duplicated, in order."""
    return list(dict.fromkeys(term for term in q.lower().split() if term))
