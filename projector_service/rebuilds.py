"""The record of every rebuild (`projector_rebuilds`): what `status` shows as in
progress, and what keeps two rebuilds of one read model from running at once.

A running rebuild beats a heartbeat with its progress; one whose heartbeat
stopped (its process died) no longer counts as running and can be replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

REBUILDS = "projector_rebuilds"
RUNNING, SWITCHED, FAILED = "running", "switched", "failed"
STALE_AFTER = timedelta(seconds=30)


class RebuildRunningError(RuntimeError):
    """Another rebuild of the same read model is running."""


@dataclass(frozen=True)
class RebuildRecord:
    projection: str
    collection: str
    generation: int
    source: str
    group: str | None

    @property
    def id(self) -> str:
        return self.collection


def _now() -> datetime:
    return datetime.now(UTC)


async def running(db: AsyncDatabase[Any], projection: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"state": RUNNING, "heartbeat": {"$gte": _now() - STALE_AFTER}}
    if projection:
        query["projection"] = projection
    return [doc async for doc in db[REBUILDS].find(query).sort("started_at", 1)]


async def begin(db: AsyncDatabase[Any], record: RebuildRecord, *, replaced: str) -> None:
    """Record a rebuild as running, unless another of the same projection is."""
    others = await running(db, record.projection)
    if others:
        raise RebuildRunningError(
            f"{record.projection}: rebuild into {others[0]['collection']} is running "
            f"(started {others[0]['started_at']:%Y-%m-%d %H:%M:%S}Z)"
        )
    now = _now()
    await db[REBUILDS].insert_one(
        {
            "_id": record.id,
            "projection": record.projection,
            "collection": record.collection,
            "generation": record.generation,
            "source": record.source,
            "group": record.group,
            "replaces": replaced,
            "state": RUNNING,
            "phase": "catching up",
            "consumed": 0,
            "total": 0,
            "started_at": now,
            "heartbeat": now,
        }
    )


async def beat(db: AsyncDatabase[Any], record: RebuildRecord, *, consumed: int, total: int, phase: str) -> None:
    update = {"consumed": consumed, "total": total, "phase": phase, "heartbeat": _now()}
    await db[REBUILDS].update_one({"_id": record.id}, {"$set": update})


async def finish(db: AsyncDatabase[Any], record: RebuildRecord, state: str, **fields: Any) -> None:
    await db[REBUILDS].update_one({"_id": record.id}, {"$set": {"state": state, "finished_at": _now(), **fields}})
