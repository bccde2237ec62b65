"""How the projector (writer) and the query service (reader) find a read model's live collection.

A read model's live collection is named by a pointer document in
`read_model_pointers` (`{_id: "order_view", collection: "order_view__v7"}`), so a
blue/green rebuild can fill a new collection and switch readers over with one
atomic write. Without a pointer, the plain name is the live collection.
"""

from __future__ import annotations

import time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

POINTERS = "read_model_pointers"


def versioned(name: str, generation: int) -> str:
    return f"{name}__v{generation}"


class CollectionResolver:
    """Live collection names, cached for `ttl` seconds (readers may lag a switch by that much;
    old collections are dropped only after a grace period far longer than it)."""

    def __init__(self, db: AsyncDatabase[Any], ttl: float = 1.0) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[str, tuple[float, str]] = {}

    async def live(self, name: str) -> str:
        now = time.monotonic()
        cached = self._cache.get(name)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        pointer = await self._db[POINTERS].find_one({"_id": name})
        collection = pointer["collection"] if pointer else name
        self._cache[name] = (now, collection)
        return collection

    def forget(self) -> None:
        self._cache.clear()
