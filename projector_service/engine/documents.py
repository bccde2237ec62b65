"""Reading the current documents a batch touches (with an optional write-through cache), and
writing them back.

`$in` lookups are chunked: the MongoDB stand-in answers a large `$in` in time
quadratic in its size, so many small lookups cost far less than one large one; a
real mongod does not care.

A rebuild is the only writer of its fresh target collection until the switch,
so it can remember what it wrote and skip the reads altogether (`DocCache`). The
cache is only ever a guess: every write stays guarded by the version read, and a
failed guard makes `apply` read those documents from the database again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import bson
from bson.errors import InvalidDocument
from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DocumentTooLarge

from projector_service.engine.projection import Document

LOOKUP_CHUNK = 50
_DUPLICATE_KEY = 11000
_MAX_BSON = 16 * 1024 * 1024


class DocCache:
    """Documents written to a collection that nobody else writes yet.

    While `complete`, a document missing from the cache is missing from the
    collection too (it started empty); after an eviction or `disable()` misses
    are read from the database.
    """

    def __init__(self, max_docs: int) -> None:
        self._docs: dict[str, Document] = {}
        self._max = max_docs
        self._enabled = max_docs > 0
        self.complete = self._enabled

    def disable(self) -> None:
        """Others write to the collection from now on (it went live): stop guessing."""
        self._docs.clear()
        self._enabled = False
        self.complete = False

    def split(self, ids: Iterable[str]) -> tuple[dict[str, Document], list[str]]:
        """(documents known, ids to read from the database)."""
        known: dict[str, Document] = {}
        unknown: list[str] = []
        for doc_id in ids:
            doc = self._docs.get(doc_id)
            if doc is not None:
                known[doc_id] = doc
            elif not self.complete:
                unknown.append(doc_id)
        return known, unknown

    def put(self, docs: Iterable[Document]) -> None:
        if not self._enabled:
            return
        for doc in docs:
            self._docs[doc["_id"]] = doc
        if len(self._docs) > self._max:
            # Forget the older half (dicts keep insertion order); misses are read from now on.
            for doc_id in list(self._docs)[: len(self._docs) // 2]:
                del self._docs[doc_id]
            self.complete = False

    def forget(self, ids: Collection[str]) -> None:
        for doc_id in ids:
            self._docs.pop(doc_id, None)


async def find_many(collection: AsyncCollection[Any], ids: list[str]) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        async for doc in collection.find({"_id": {"$in": chunk}}):
            found[doc["_id"]] = doc
    return found


async def load(
    collection: AsyncCollection[Any],
    ids: list[str],
    cache: DocCache | None,
    stale: Collection[str] = (),
    *,
    new: Collection[str] = (),
) -> dict[str, Document]:
    """The stored documents among `ids` (absent ones are left out). `stale` ids bypass the cache;
    `new` ids (not stale) are taken as absent without a read: the caller's insert of each is
    refused with a duplicate key if one exists after all, and then they come back as stale."""
    if cache is None:
        return await find_many(collection, [doc_id for doc_id in ids if doc_id not in new or doc_id in stale])
    known, unknown = cache.split(doc_id for doc_id in ids if doc_id not in stale)
    unknown = [doc_id for doc_id in unknown if doc_id not in new]
    unknown.extend(doc_id for doc_id in ids if doc_id in stale)
    if unknown:
        known.update(await find_many(collection, unknown))
    return known


@dataclass(frozen=True)
class Written:
    done: int
    """Documents inserted or replaced."""
    refused: dict[int, str] = field(default_factory=dict)
    """Index of an op -> why the server refused its document (a guard that failed is neither)."""


async def write(
    collection: AsyncCollection[Any], ops: Sequence[InsertOne[Any] | ReplaceOne[Any]], docs: Sequence[Document]
) -> Written:
    """Unordered bulk write of `ops` (writing `docs`). A duplicate key (a racing insert) counts as not
    done, as a failed guard does. A document the server or the BSON encoder will never take is
    reported, not raised, so the batch does not come back forever; connection errors do raise."""
    try:
        result = await collection.bulk_write(list(ops), ordered=False)
        return Written(result.inserted_count + result.matched_count)
    except BulkWriteError as exc:
        details = exc.details
        refused = {
            int(err["index"]): f"{err.get('code')}: {err.get('errmsg', '')}"[:500]
            for err in details.get("writeErrors", [])
            if err.get("code") != _DUPLICATE_KEY
        }
        return Written(int(details.get("nInserted", 0) + details.get("nMatched", 0)), refused)
    except (InvalidDocument, DocumentTooLarge):
        refused = {i: reason for i, doc in enumerate(docs) if (reason := unwritable(doc))}
        if not refused:
            raise
        keep = [i for i in range(len(ops)) if i not in refused]
        rest = await write(collection, [ops[i] for i in keep], [docs[i] for i in keep])
        return Written(rest.done, {**refused, **{keep[i]: reason for i, reason in rest.refused.items()}})


def unwritable(doc: Document) -> str | None:
    """Why MongoDB could never store the document (not BSON, over 16 MB), or None."""
    try:
        size = len(bson.encode(doc))
    except (InvalidDocument, TypeError, OverflowError) as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return f"document of {size:,} bytes is over MongoDB's {_MAX_BSON:,}" if size > _MAX_BSON else None
