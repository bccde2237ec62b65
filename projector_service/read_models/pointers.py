"""Which collection is live for a read model, switching it, and retiring old ones.

The pointer documents are `shared.read_models`' (`read_model_pointers`,
`{_id: "order_view", collection: "order_view__v7"}`); the query service reads
them through `CollectionResolver`, which may lag a switch by its cache TTL. The
projector reads the pointer fresh for every batch. A retired collection is
dropped only after a grace period far longer than that TTL, and never while a
pointer names it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from projector_service.dead_letters.parking import ParkingLot
from shared.read_models import POINTERS

GENERATIONS = "projector_generations"
PENDING_DROPS = "projector_pending_drops"


async def live_collection(db: AsyncDatabase[Any], name: str) -> str:
    pointer = await db[POINTERS].find_one({"_id": name})
    return str(pointer["collection"]) if pointer else name


async def next_generation(db: AsyncDatabase[Any], name: str) -> int:
    """A generation number no collection of this read model has used."""
    pattern = re.compile(rf"^{re.escape(name)}__v(\d+)$")
    used = [int(m.group(1)) for c in await db.list_collection_names() if (m := pattern.match(c))]
    counter = await db[GENERATIONS].find_one_and_update(
        {"_id": name}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert counter is not None  # upserted
    generation = max(int(counter["n"]), max(used, default=0) + 1)
    if generation != counter["n"]:
        await db[GENERATIONS].update_one({"_id": name}, {"$max": {"n": generation}})
    return generation


async def switch(db: AsyncDatabase[Any], name: str, *, expected: str, new: str) -> bool:
    """Make `new` live in one atomic write, if `expected` is still live (nobody switched meanwhile)."""
    now = datetime.now(UTC)
    result = await db[POINTERS].update_one(
        {"_id": name, "collection": expected}, {"$set": {"collection": new, "switched_at": now}}
    )
    if result.matched_count == 1:
        return True
    if expected != name:
        return False
    try:  # no pointer yet: the plain name was live
        await db[POINTERS].insert_one({"_id": name, "collection": new, "switched_at": now})
    except DuplicateKeyError:
        return False
    return True


async def schedule_drop(db: AsyncDatabase[Any], collection: str, name: str, grace_seconds: float) -> datetime:
    due = datetime.now(UTC) + timedelta(seconds=grace_seconds)
    await db[PENDING_DROPS].replace_one({"_id": collection}, {"_id": collection, "name": name, "due": due}, upsert=True)
    return due


async def drop_due(db: AsyncDatabase[Any], lot: ParkingLot, *, now: datetime | None = None) -> list[str]:
    """Drop the retired collections whose grace period is over (any process may do it; it is idempotent)."""
    now = now or datetime.now(UTC)
    dropped: list[str] = []
    async for pending in db[PENDING_DROPS].find({"due": {"$lte": now}}):
        collection = pending["_id"]
        if await live_collection(db, pending["name"]) != collection:
            await db.drop_collection(collection)
            await lot.forget_collection(collection)
            dropped.append(collection)
        await db[PENDING_DROPS].delete_one({"_id": collection})
    return dropped


async def pending_drops(db: AsyncDatabase[Any]) -> list[dict[str, Any]]:
    return [doc async for doc in db[PENDING_DROPS].find({})]
