"""The indexes a read model's queries need, created on every collection that can go
live: the live one at start-up and a rebuild's target before it is switched in.

`projections.INDEXES` (per collection name, the query service hints them by
name) is the main source; `EXTRA_INDEXES` (per projection name) is the hook for
indexes that are not part of a shared read-model contract.
"""

from __future__ import annotations

from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from projector_service.projections import INDEXES, Projection

EXTRA_INDEXES: dict[str, list[IndexModel]] = {}


def indexes_for(projection: Projection) -> list[IndexModel]:
    return [*INDEXES.get(projection.collection, []), *EXTRA_INDEXES.get(projection.name, [])]


async def ensure_indexes(db: AsyncDatabase[Any], projection: Projection, collection: str) -> list[str]:
    """Create the projection's indexes on `collection` (idempotent); returns their names."""
    wanted = indexes_for(projection)
    if not wanted:
        return []
    return await db[collection].create_indexes(wanted)
