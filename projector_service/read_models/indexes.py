"""Creating a read model's indexes on every collection that can go live: the live one at
start-up and a rebuild's target before it is switched in.

The indexes are the read model's, declared once in its context's shared manifest
(`shared.manifest.ReadModel.indexes`, by name: the query service hints them); the
registry turns them into index models per collection (`ProjectorRegistry.indexes_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.manifest import IndexKeys


def index_models(specs: Mapping[str, IndexKeys]) -> list[IndexModel]:
    """A read model's declared indexes ({name: keys}) as index models, named as declared."""
    return [IndexModel(keys, name=name) for name, keys in specs.items()]


async def ensure_indexes(db: AsyncDatabase[Any], indexes: Sequence[IndexModel], collection: str) -> list[str]:
    """Create `indexes` on `collection` (idempotent); returns their names."""
    if not indexes:
        return []
    return await db[collection].create_indexes(list(indexes))
