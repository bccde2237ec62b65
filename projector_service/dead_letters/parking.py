"""The parking lot: events a projection could not apply, and the later events of
the same stream held behind them, in order, per target collection (MongoDB).

A stream is blocked while it has parked events: everything of it that arrives
later is parked behind them (other streams keep flowing), until `redrive`
re-applies the queue in order or `skip` drops an event explicitly. An event
is deleted from the queue only after it was applied (or skipped).

Items are keyed by collection and event id (coordinates when the record did not
decode), and written with `$setOnInsert`: parking a redelivered record again
changes nothing, and the first error and sequence number stay.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import Binary
from pymongo import ASCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from projector_service.engine.records import Coordinates, Incoming

PARKED = "projector_parked"
SKIPPED = "projector_skipped"
_SEQUENCES = "projector_parked_seq"
FAILED = "failed"
HELD = "held"
_MAX_ERROR = 2000


@dataclass(frozen=True)
class Head:
    """The first parked event of a stream: what its later events wait behind."""

    item_id: str
    version: int | None
    coords: Coordinates


@dataclass(frozen=True)
class Entry:
    item: Incoming
    status: str  # FAILED or HELD
    error: str | None = None
    behind: str | None = None  # the item id a held event waits behind


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]


def item_id(collection: str, item: Incoming) -> str:
    if item.env is not None:
        return f"{collection}|{item.env.event_id}"
    c = item.coords
    return f"{collection}|{c.topic}|{c.partition}|{c.offset}"


def is_held(head: Head, item: Incoming) -> bool:
    """Later events of a parked stream wait; earlier ones (redelivered after a crash) flow."""
    if (item.coords.topic, item.coords.partition) == (head.coords.topic, head.coords.partition):
        return item.coords.offset >= head.coords.offset
    if item.env is not None and head.version is not None:
        return item.env.version >= head.version
    return True


def to_incoming(doc: dict[str, Any]) -> Incoming:
    """The parked record, not decoded: a redrive decodes it with the code running now."""
    coords = Coordinates(doc["topic"], doc["partition"], doc["offset"])
    headers = tuple((name, bytes(value)) for name, value in doc["headers"])
    key = bytes(doc["key"]) if doc["key"] is not None else None
    value = bytes(doc["value"]) if doc["value"] is not None else None
    return Incoming(coords, key, value, headers, doc["timestamp_ms"], None, None)


def _doc(projection: str, collection: str, entry: Entry, seq: int, now: datetime) -> dict[str, Any]:
    item, env = entry.item, entry.item.env
    return {
        "projection": projection,
        "collection": collection,
        "stream_id": item.stream_id,
        "seq": seq,
        "status": entry.status,
        "error": entry.error,
        "behind": entry.behind,
        "topic": item.coords.topic,
        "partition": item.coords.partition,
        "offset": item.coords.offset,
        "timestamp_ms": item.timestamp_ms,
        "event_id": str(env.event_id) if env else None,
        "event_type": env.event_type if env else None,
        "version": env.version if env else None,
        "key": Binary(item.key) if item.key is not None else None,
        "value": Binary(item.value) if item.value is not None else None,
        "headers": [[name, Binary(value)] for name, value in item.headers],
        "parked_at": now,
    }


class ParkingLot:
    """`empty_for`: seconds a look that found nothing parked in a collection stands for the next
    batches of this process (0: look before every batch). Only the live consumer that owns a
    stream's partition parks its events, and this process forgets every such look when it
    parks something itself (`park`) and when its partitions change (`forget_empty`, called on
    each rebalance), so in between nothing can be parked for its streams but by itself; the
    time bound covers writers outside that rule."""

    def __init__(self, db: AsyncDatabase[Any], *, empty_for: float = 0.0) -> None:
        self._items = db[PARKED]
        self._skipped = db[SKIPPED]
        self._sequences = db[_SEQUENCES]
        self._empty_for = empty_for
        self._empty_until: dict[str, float] = {}

    def forget_empty(self) -> None:
        """Look again before the next batch of every collection (the partitions changed)."""
        self._empty_until.clear()

    async def ensure_indexes(self) -> None:
        await self._items.create_indexes(
            [
                IndexModel([("collection", ASCENDING), ("stream_id", ASCENDING), ("seq", ASCENDING)], name="queue"),
                IndexModel([("projection", ASCENDING), ("seq", ASCENDING)], name="by_projection"),
            ]
        )

    async def heads(self, collection: str, streams: set[str | None]) -> dict[str, Head]:
        """The parked streams among `streams`, with their heads."""
        if self._empty_until.get(collection, 0.0) > time.monotonic():
            return {}  # looked a moment ago, and nothing was parked since by this process
        looked_at = time.monotonic()
        if await self._items.find_one({"collection": collection}, {"_id": 1}) is None:
            if self._empty_for > 0:
                self._empty_until[collection] = looked_at + self._empty_for
            return {}  # the common case: nothing parked, one indexed lookup
        self._empty_until.pop(collection, None)
        heads: dict[str, Head] = {}
        fields = {"stream_id": 1, "version": 1, "topic": 1, "partition": 1, "offset": 1}
        async for doc in self._items.find({"collection": collection}, fields).sort("seq", ASCENDING):
            stream = doc["stream_id"]
            if stream in streams and stream not in heads:
                coords = Coordinates(doc["topic"], doc["partition"], doc["offset"])
                heads[stream] = Head(doc["_id"], doc["version"], coords)
        return heads

    async def park(self, projection: str, collection: str, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        self._empty_until.pop(collection, None)
        counter = await self._sequences.find_one_and_update(
            {"_id": collection}, {"$inc": {"n": len(entries)}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert counter is not None  # upserted
        first = counter["n"] - len(entries) + 1
        now = datetime.now(UTC)
        ops = [
            UpdateOne(
                {"_id": item_id(collection, entry.item)},
                {"$setOnInsert": _doc(projection, collection, entry, first + i, now)},
                upsert=True,
            )
            for i, entry in enumerate(entries)
        ]
        await self._items.bulk_write(ops, ordered=True)

    async def queue(self, collection: str, stream_id: str) -> list[dict[str, Any]]:
        cursor = self._items.find({"collection": collection, "stream_id": stream_id}).sort("seq", ASCENDING)
        return [doc async for doc in cursor]

    async def first(self, collection: str, stream_id: str) -> dict[str, Any] | None:
        query = {"collection": collection, "stream_id": stream_id}
        return await self._items.find_one(query, {"status": 1}, sort=[("seq", ASCENDING)])

    async def streams(self, collection: str) -> list[str]:
        found = {doc["stream_id"]: None async for doc in self._items.find({"collection": collection}, {"stream_id": 1})}
        return list(found)

    async def remove(self, ids: Sequence[str]) -> None:
        if ids:
            await self._items.delete_many({"_id": {"$in": list(ids)}})

    async def mark_failed(self, item: str, error: str) -> None:
        await self._items.update_one({"_id": item}, {"$set": {"status": FAILED, "error": error}})

    async def skip(self, docs: Sequence[dict[str, Any]], reason: str) -> None:
        """Drop events from their queue for good, keeping a record of what was skipped."""
        now = datetime.now(UTC)
        for doc in docs:
            await self._skipped.replace_one({"_id": doc["_id"]}, {**doc, "skipped_at": now, "reason": reason}, True)
            await self._items.delete_one({"_id": doc["_id"]})

    async def items(self, *, projection: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = {"projection": projection} if projection else {}
        order = [("collection", ASCENDING), ("stream_id", ASCENDING), ("seq", ASCENDING)]
        cursor = self._items.find(query, {"key": 0, "value": 0, "headers": 0}).sort(order).limit(limit)
        return [doc async for doc in cursor]

    async def count(self, collection: str) -> int:
        return await self._items.count_documents({"collection": collection})

    async def forget_collection(self, collection: str) -> None:
        """The collection was dropped: its queues go with it."""
        await self._items.delete_many({"collection": collection})
        await self._sequences.delete_one({"_id": collection})
