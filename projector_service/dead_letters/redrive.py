"""Unblocking parked streams: `redrive` re-applies a stream's parked events in order
with the code running now (after a fix); `skip` drops one event for good.

Draining is safe to run from several processes at once (the CLI and a projector
that just parked an event behind a head someone else removed): events are
applied in queue order and version-guarded, and one is removed from its queue
only after it was applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from projector_service.dead_letters.parking import ParkingLot, describe, to_incoming
from projector_service.engine.apply import apply_checked
from projector_service.engine.projection import Projection
from projector_service.engine.records import redecode

_MAX_PASSES = 100  # held events may keep arriving while a stream drains


@dataclass
class Drained:
    stream_id: str
    applied: int = 0
    still_parked: int = 0
    error: str | None = None
    """Why the head of the queue still cannot be applied."""


async def drain(
    db: AsyncDatabase[Any],
    projection: Projection,
    lot: ParkingLot,
    collection: str,
    stream_id: str,
) -> Drained:
    """Apply the stream's queue in order until it is empty or an event still fails."""
    result = Drained(stream_id)
    for _ in range(_MAX_PASSES):
        queue = await lot.queue(collection, stream_id)
        if not queue:
            return result
        items = [redecode(to_incoming(doc)) for doc in queue]
        decodable = next((i for i, item in enumerate(items) if item.env is None), len(items))
        envs = [item.env for item in items[:decodable] if item.env is not None]
        outcome = await apply_checked(db[collection], projection, envs)
        stop = min(outcome.failed, default=decodable)
        await lot.remove([doc["_id"] for doc in queue[:stop]])
        result.applied += stop
        if stop < len(queue):
            failure = outcome.failed.get(stop) or items[stop].error
            result.error = describe(failure) if failure else "unknown error"
            result.still_parked = len(queue) - stop
            await lot.mark_failed(queue[stop]["_id"], result.error)
            return result
    result.still_parked = len(await lot.queue(collection, stream_id))
    return result


async def redrive(
    db: AsyncDatabase[Any], projection: Projection, lot: ParkingLot, collection: str, stream_id: str | None = None
) -> list[Drained]:
    """Drain one parked stream, or every parked stream of the collection."""
    streams = [stream_id] if stream_id else await lot.streams(collection)
    return [await drain(db, projection, lot, collection, stream) for stream in streams]


class NothingToSkipError(LookupError):
    """No parked event matches the stream (and event id) given."""


async def skip(
    lot: ParkingLot, collection: str, stream_id: str, event_id: str | None = None, *, reason: str = "skipped"
) -> tuple[dict[str, Any], int]:
    """Drop the head of the stream's queue (or the event named) for good; (what was skipped, events left)."""
    queue = await lot.queue(collection, stream_id)
    chosen = queue[:1] if event_id is None else [doc for doc in queue if event_id in (doc["event_id"], doc["_id"])]
    if not chosen:
        raise NothingToSkipError(
            f"nothing parked for stream {stream_id!r} in {collection}" + (f" as {event_id}" if event_id else "")
        )
    await lot.skip(chosen, reason)
    return chosen[0], len(queue) - 1
