"""Keyset pagination shared by every list: opaque cursors over one sort field, and
the index each query is meant to be driven by.

A query led by an equality (an owner's id, a status, a search token) is sent without a hint:
the planner picks that equality's index (mongod by its trial, the Rust MongoDB stand-in by its
router), and the stand-in answers a hinted find by walking the whole index (on 100,000
documents, a 4-document page by a compound index's leading field: 0.6 ms unhinted, 103 ms
hinted). Only a query led by a range alone (newest first over everything, a total between two
figures) is hinted (`hint=True`): there the hint keeps the scan on the sort's index instead of
the whole collection."""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.errors import OperationFailure

log = logging.getLogger(__name__)
_BAD_VALUE = 2

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class CursorError(ValueError):
    """A cursor this service did not hand out."""


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("not a cursor from this API") from exc


@dataclass(frozen=True)
class PageQuery:
    filter: dict[str, Any]
    sort_field: str
    descending: bool
    index: str
    limit: int
    hint: bool = False
    """Send `index` as a hint (for a query led by a range alone; see the module's docstring)."""


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


async def fetch_page(collection: AsyncCollection[Any], query: PageQuery, projection: dict[str, Any]) -> Page:
    """One more than asked tells whether a next page exists."""

    def find() -> AsyncCursor[Any]:
        return collection.find(query.filter, projection).sort(query.sort_field, -1 if query.descending else 1)

    if not query.hint:
        docs = await find().limit(query.limit + 1).to_list()
        return _page(docs, query)
    try:
        docs = await find().limit(query.limit + 1).hint(query.index).to_list()
    except OperationFailure as exc:
        if exc.code != _BAD_VALUE or "hint" not in str(exc):
            raise
        # The index is not there (yet): a collection just rebuilt, or the projector has not
        # created it. Slower without it, but still right.
        log.warning("%s has no index %s; querying without it", collection.name, query.index)
        docs = await find().limit(query.limit + 1).to_list()
    return _page(docs, query)


def _page(docs: list[Any], query: PageQuery) -> Page:
    more = len(docs) > query.limit
    docs = docs[: query.limit]
    next_cursor = encode_cursor(docs[-1][query.sort_field]) if more and docs else None
    return Page(items=docs, next_cursor=next_cursor)
