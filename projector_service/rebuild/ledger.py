"""The record of every rebuild (`projector_rebuilds`): what `status` shows as in
progress, and what keeps two rebuilds of one read model from running at once.

A running rebuild beats a heartbeat with its progress; one whose heartbeat
stopped (its process died: SIGKILL, OOM, a lost machine) is abandoned: it no
longer counts as running, `status` reports it, and the next rebuild of the read
model cleans it up (`clean_up`): drops its target, unless that went live, marks
it failed and deletes its Kafka consumer group (`kafka_groups`). A rebuild that
was only slow finds its record failed at its next heartbeat and stops before its
switch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from projector_service.dead_letters.parking import ParkingLot
from projector_service.read_models.pointers import live_collection, schedule_drop
from projector_service.rebuild.kafka_groups import GroupDeleter, GroupDeletion

log = logging.getLogger(__name__)

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

    @property
    def name(self) -> str:
        """The read model (the pointer's id)."""
        return self.collection.rsplit("__v", 1)[0]


@dataclass(frozen=True)
class Cleaned:
    """An abandoned rebuild cleaned up: its target, and what became of its consumer group."""

    target: str
    group: GroupDeletion | None = None

    def __str__(self) -> str:
        return self.target if self.group is None else f"{self.target} (consumer group {self.group.group}: {self.group})"


def _now() -> datetime:
    return datetime.now(UTC)


async def running(
    db: AsyncDatabase[Any], projection: str | None = None, *, stale_after: timedelta = STALE_AFTER
) -> list[dict[str, Any]]:
    return await _find(db, projection, {"$gte": _now() - stale_after})


async def abandoned(
    db: AsyncDatabase[Any], projection: str | None = None, *, stale_after: timedelta = STALE_AFTER
) -> list[dict[str, Any]]:
    """Rebuilds recorded as running whose heartbeat stopped `stale_after` ago or longer."""
    return await _find(db, projection, {"$lt": _now() - stale_after})


async def _find(db: AsyncDatabase[Any], projection: str | None, heartbeat: dict[str, Any]) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"state": RUNNING, "heartbeat": heartbeat}
    if projection:
        query["projection"] = projection
    return [doc async for doc in db[REBUILDS].find(query).sort("started_at", 1)]


async def handed_over(
    db: AsyncDatabase[Any],
    collection: str,
    *,
    stale_after: timedelta,
    poll_seconds: float = 0.05,
    on_wait: Callable[[], None] | None = None,
) -> None:
    """Returns once no running rebuild is still handing `collection` over to the live projector.

    A rebuild switches the pointer to its target and then drains its source once more, up to
    the end as it is after the switch: the live projector may have written batches past the
    rebuild's last mark into the old collection only. Until that drain is done the target lacks
    those events, and a live batch written there first would apply later versions of a document
    before the missing ones (which the version guard then skips as redeliveries). So the live
    projector waits here before its first write into a collection new to it. A rebuild whose
    heartbeat stopped will never finish: after `stale_after` the wait ends, with a warning (the
    rebuild's record says to rebuild again once it is cleaned up)."""
    query = {"collection": collection, "state": RUNNING}
    waited = False
    while (doc := await db[REBUILDS].find_one(query, {"heartbeat": 1})) is not None:
        if doc["heartbeat"] < _now() - stale_after:
            log.warning("%s: its rebuild stopped beating during the handover; writing to it all the same", collection)
            return
        if not waited:
            log.info("%s: waiting for its rebuild to finish the handover before the first live write", collection)
            waited = True
        if on_wait is not None:
            on_wait()
        await asyncio.sleep(poll_seconds)


async def clean_up(
    db: AsyncDatabase[Any],
    lot: ParkingLot,
    projection: str,
    *,
    stale_after: timedelta = STALE_AFTER,
    grace_seconds: float = 60.0,
    groups: GroupDeleter | None = None,
) -> list[Cleaned]:
    """Mark the abandoned rebuilds of `projection` failed, drop their targets and (with `groups`)
    delete their consumer groups; returns what was cleaned up.

    A target that went live (the process died during its handover) is kept: it is the read
    model now, possibly missing the events of its last seconds, so the record says to rebuild
    again; the collection it replaced is scheduled for dropping as a finished rebuild would.
    A group that could not be deleted is logged and noted on the record, never raised."""
    cleaned: list[Cleaned] = []
    for doc in await abandoned(db, projection, stale_after=stale_after):
        target = str(doc["collection"])
        name = str(doc.get("name") or target.rsplit("__v", 1)[0])
        live = await live_collection(db, name) == target
        error = f"abandoned: no heartbeat since {doc['heartbeat']:%Y-%m-%d %H:%M:%S}Z (its process died)"
        if live:
            error += "; it was switched in before its handover finished: rebuild again"
        claimed = await db[REBUILDS].update_one(  # only if it did not beat meanwhile, and only once
            {"_id": doc["_id"], "state": RUNNING, "heartbeat": doc["heartbeat"]},
            {"$set": {"state": FAILED, "finished_at": _now(), "error": error, "switched": live}},
        )
        if claimed.modified_count != 1:
            continue
        if live:
            if doc.get("replaces") and doc["replaces"] != target:
                await schedule_drop(db, str(doc["replaces"]), name, grace_seconds)
        else:
            await db.drop_collection(target)
            await lot.forget_collection(target)
        deletion = None
        if groups is not None and doc.get("group"):
            deletion = await groups.delete(str(doc["group"]))
            await note_group(db, str(doc["_id"]), deletion)
        cleaned.append(Cleaned(target, deletion))
    return cleaned


async def begin(
    db: AsyncDatabase[Any], record: RebuildRecord, *, replaced: str, stale_after: timedelta = STALE_AFTER
) -> None:
    """Record a rebuild as running, unless another of the same projection is."""
    others = await running(db, record.projection, stale_after=stale_after)
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
            "name": record.name,
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


async def beat(db: AsyncDatabase[Any], record: RebuildRecord, *, consumed: int, total: int, phase: str) -> bool:
    """Record progress; False if the rebuild is no longer running (another process cleaned it up)."""
    update = {"consumed": consumed, "total": total, "phase": phase, "heartbeat": _now()}
    result = await db[REBUILDS].update_one({"_id": record.id, "state": RUNNING}, {"$set": update})
    return result.matched_count == 1


async def finish(db: AsyncDatabase[Any], record: RebuildRecord, state: str, **fields: Any) -> None:
    await db[REBUILDS].update_one({"_id": record.id}, {"$set": {"state": state, "finished_at": _now(), **fields}})


async def note_group(db: AsyncDatabase[Any], record_id: str, deletion: GroupDeletion) -> None:
    """What became of the rebuild's consumer group, on its record (a note: a failure is only logged)."""
    try:
        await db[REBUILDS].update_one({"_id": record_id}, {"$set": {"group_cleanup": str(deletion)}})
    except PyMongoError:
        log.warning("%s: consumer group %s %s, not noted on the record", record_id, deletion.group, deletion)
