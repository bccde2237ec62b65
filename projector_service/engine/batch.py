"""One batch through one projection, into one target collection.

Records that did not decode, and records of streams that have parked events,
are parked; everything else is applied effectively once (`apply`); what the
projection rejected is parked behind its stream's first failure. Then the parked
records go to the dead-letter topic. The caller commits the offsets after
`process` returns; if it raises (MongoDB or Kafka down), nothing is committed and
the batch comes again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import FAILED, HELD, Entry, Head, ParkingLot, describe, is_held, item_id
from projector_service.dead_letters.redrive import drain
from projector_service.engine.apply import apply_checked
from projector_service.engine.documents import DocCache
from projector_service.engine.projection import Projection
from projector_service.engine.records import Incoming
from projector_service.read_models.pointers import live_collection
from shared.envelope import EventEnvelope


@dataclass
class Report:
    events: int = 0
    written: int = 0
    parked: int = 0
    failed: int = 0


def plan(
    items: Sequence[Incoming], heads: dict[str, Head], collection: str
) -> tuple[list[int], list[tuple[int, Entry]]]:
    """(indexes to apply, parked entries by index): records that did not decode, and every later
    record of their stream or of a stream parked already, are parked (pure)."""
    heads = dict(heads)
    fresh: list[int] = []
    parked: list[tuple[int, Entry]] = []
    for index, item in enumerate(items):
        stream = item.stream_id
        head = heads.get(stream) if stream is not None else None
        if head is not None and is_held(head, item):
            parked.append((index, Entry(item, HELD, behind=head.item_id)))
        elif item.env is None:
            parked.append((index, Entry(item, FAILED, error=describe(item.error or ValueError("undecodable")))))
            if stream is not None:
                heads[stream] = Head(item_id(collection, item), None, item.coords)
        else:
            fresh.append(index)
    return fresh, parked


def rejected_entries(
    items: Sequence[Incoming], fresh: list[int], failed: dict[int, Exception], held: list[int], collection: str
) -> list[tuple[int, Entry]]:
    """What the projection rejected, as parked entries (indexes into `items`)."""
    first_failure: dict[str, str] = {}
    entries: list[tuple[int, Entry]] = []
    for k in sorted(failed):
        item = items[fresh[k]]
        first_failure.setdefault(item.stream_id or "", item_id(collection, item))
        entries.append((fresh[k], Entry(item, FAILED, error=describe(failed[k]))))
    for k in held:
        item = items[fresh[k]]
        entries.append((fresh[k], Entry(item, HELD, behind=first_failure.get(item.stream_id or ""))))
    return entries


class BatchProcessor:
    def __init__(
        self,
        db: AsyncDatabase[Any],
        projection: Projection,
        *,
        lot: ParkingLot,
        dead_letters: DeadLetters,
        cache: DocCache | None = None,
        live_cache_docs: int = 0,
        handed_over: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """`handed_over(collection)` returns once a rebuild that switched `collection` in has finished
        its handover (`rebuild.ledger.handed_over`); the live path awaits it before its first write
        into a collection (None: nothing to wait for, as in a rebuild or a test)."""
        self.db = db
        self.projection = projection
        self.lot = lot
        self.dead_letters = dead_letters
        self.cache = cache
        self.live_cache_docs = live_cache_docs
        self._live: str | None = None
        self._live_cache: DocCache | None = None
        self._handed_over = handed_over

    async def process(
        self,
        items: Sequence[Incoming],
        collection: str,
        *,
        cache: DocCache | None = None,
    ) -> Report:
        cache = self.cache if cache is None else cache
        heads = await self.lot.heads(collection, {item.stream_id for item in items})
        fresh, parked = plan(items, heads, collection)
        envs: list[EventEnvelope] = [env for i in fresh if (env := items[i].env) is not None]
        outcome = await apply_checked(self.db[collection], self.projection, envs, cache=cache)
        parked += rejected_entries(items, fresh, outcome.failed, outcome.held, collection)
        parked.sort(key=lambda pair: pair[0])
        entries = [entry for _, entry in parked]
        if entries:
            await self.lot.park(self.projection.name, collection, entries)
            await self.dead_letters.publish(entries, projection=self.projection.name, collection=collection)
        await self._heal(collection, entries, heads)
        failed = sum(entry.status == FAILED for entry in entries)
        return Report(len(items), outcome.written, len(entries), failed)

    async def process_live(self, items: Sequence[Incoming]) -> Report:
        """Into the live collection and, if a rebuild switched it while we wrote, into the new one too
        (its handover may have passed these offsets already).

        The pointer is read after every write; the next batch goes where that read said. A switch
        between the read and the next batch's write is caught by the read after that write, so the
        pointer costs one lookup per batch, not two. The documents this process wrote are
        remembered (`live_cache_docs`), per live collection: a batch of known documents is one
        bulk write. Other writers (a second projector after a rebalance, a redrive) only make the
        guess stale, and a stale guess fails its version guard and is read again.

        Before its first write into a collection (at start, and after a switch) it waits for the
        rebuild that switched it in to finish its handover: until then that collection lacks what
        this process wrote only into the old one, and writing later events first would skip those."""
        target = self._live or await live_collection(self.db, self.projection.collection)
        if self._live_cache is None or self._live != target:
            await self._settle(target)
            self._live_cache = self._fresh_live_cache()
        report = await self.process(items, target, cache=self._live_cache)
        now = await live_collection(self.db, self.projection.collection)
        if now != target:
            await self._settle(now)
            await self.process(items, now)
            self._live_cache = self._fresh_live_cache()
        self._live = now
        return report

    async def _settle(self, collection: str) -> None:
        if self._handed_over is not None:
            await self._handed_over(collection)

    def _fresh_live_cache(self) -> DocCache | None:
        if self.live_cache_docs <= 0:
            return None
        cache = DocCache(self.live_cache_docs)
        cache.complete = False  # the live collection has documents this process never saw
        return cache

    async def _heal(self, collection: str, entries: list[Entry], heads: dict[str, Head]) -> None:
        """A redrive may have emptied a queue between our look at it and our parking behind it:
        a queue whose head is a held event (nothing failed before it) is drained right away."""
        behind_old_heads = {e.item.stream_id for e in entries if e.status == HELD and e.item.stream_id in heads}
        for stream in behind_old_heads:
            if stream is None:
                continue
            head = await self.lot.first(collection, stream)
            if head is not None and head["status"] == HELD:
                await drain(self.db, self.projection, self.lot, collection, stream)
