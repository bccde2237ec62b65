"""Blue/green rebuild of one projection: replay its history into a new versioned
collection, switch the read model's pointer to it in one write, retire the old one.

1. A fresh target `<name>__v<n>` gets the read model's indexes first.
2. The source (Kafka from the earliest offset under a new consumer group, or the
   event store) is drained into it, in replay mode (no side effects), to the end
   captured at the start, then to the end as it is after that.
3. The pointer switches, if the live collection is still the one the rebuild
   started from. Until then queries answered from the old view.
4. The source is drained once more to its end as it is after the switch: the
   live projector may have written its last batches only to the old view (it
   re-reads the pointer after every write and repeats a batch on the new one).
5. The old collection is dropped after the grace period (a pending drop any
   projector, or the CLI, performs).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from projector_service import rebuilds
from projector_service.dlq import DeadLetters
from projector_service.documents import DocCache
from projector_service.indexes import ensure_indexes
from projector_service.parking import ParkingLot, describe
from projector_service.pointers import live_collection, next_generation, schedule_drop, switch
from projector_service.processor import BatchProcessor
from projector_service.projections import Projection
from projector_service.records import Incoming
from projector_service.sources import Source
from shared.read_models import versioned


class EmptyHistoryError(RuntimeError):
    """The source had nothing while the live view has documents: a wrong prefix or a lost topic."""


class SwitchConflictError(RuntimeError):
    """The live collection changed while we rebuilt (another rebuild switched first)."""


@dataclass(frozen=True)
class Progress:
    projection: str
    phase: str
    consumed: int
    total: int


@dataclass(frozen=True)
class RebuildResult:
    projection: str
    collection: str
    replaced: str
    events: int
    seconds_to_switch: float
    switched_at: datetime
    drop_due: datetime
    parked: int


@dataclass(frozen=True)
class RebuildOptions:
    batch_max_records: int = 20_000
    cache_docs: int = 100_000
    grace_seconds: float = 60.0


async def rebuild(
    db: AsyncDatabase[Any],
    projection: Projection,
    source: Source,
    *,
    lot: ParkingLot,
    dead_letters: DeadLetters,
    options: RebuildOptions,
    on_progress: Callable[[Progress], None] | None = None,
) -> RebuildResult:
    name = projection.collection
    old = await live_collection(db, name)
    generation = await next_generation(db, name)
    target = versioned(name, generation)
    record = rebuilds.RebuildRecord(projection.name, target, generation, source.kind, source.group)
    await rebuilds.begin(db, record, replaced=old)
    processor = BatchProcessor(
        db, projection, lot=lot, dead_letters=dead_letters, replaying=True, cache=DocCache(options.cache_docs)
    )
    run = _Run(db, record, source, processor, options, on_progress)
    switched = False
    try:
        with contextlib.suppress(CollectionInvalid):
            await db.create_collection(target)
        await ensure_indexes(db, projection, target)
        started = time.monotonic()
        run.total = await source.start()
        await run.drain("catching up")
        await source.mark()
        await run.drain("closing the gap")
        if source.consumed == 0 and await db[old].estimated_document_count() > 0:
            raise EmptyHistoryError(f"{name}: the source had no events but {old} has documents; not switching")
        if processor.cache is not None:
            processor.cache.disable()  # from the switch on, the live projector writes here too
        if not await switch(db, name, expected=old, new=target):
            raise SwitchConflictError(f"{name}: the live collection is no longer {old}; {target} was not switched in")
        switched = True
        switched_at = datetime.now(UTC)
        seconds = time.monotonic() - started
        await source.mark()
        await run.drain("handover")
        due = await schedule_drop(db, old, name, options.grace_seconds)
        await rebuilds.finish(db, record, rebuilds.SWITCHED, consumed=source.consumed, switched_at=switched_at)
    except BaseException as exc:
        await rebuilds.finish(db, record, rebuilds.FAILED, error=describe(exc), switched=switched)
        if not switched:  # it never went live: nobody reads it
            await db.drop_collection(target)
            await lot.forget_collection(target)
        raise
    finally:
        await source.stop()
    return RebuildResult(projection.name, target, old, source.consumed, seconds, switched_at, due, run.parked)


class _Run:
    """Drains the source into the target, reporting progress and beating the heartbeat."""

    def __init__(
        self,
        db: AsyncDatabase[Any],
        record: rebuilds.RebuildRecord,
        source: Source,
        processor: BatchProcessor,
        options: RebuildOptions,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.db, self.record, self.source, self.processor = db, record, source, processor
        self.options, self.on_progress = options, on_progress
        self.total = 0
        self.parked = 0
        self._last_beat = 0.0

    async def drain(self, phase: str) -> None:
        """Up to the source's mark. The next batch is read and decoded while this one is written:
        the CPU of this process and the database's work overlap."""
        size = self.options.batch_max_records
        ahead: asyncio.Future[list[Incoming]] | None = None
        try:
            while ahead is not None or not await self.source.reached_mark():
                items = await (ahead if ahead is not None else self.source.read(size))
                ahead = None if await self.source.reached_mark() else asyncio.ensure_future(self.source.read(size))
                if items:
                    report = await self.processor.process(items, self.record.collection)
                    self.parked += report.parked
                    await self.source.commit(items)
                await self._report(phase)
        finally:
            if ahead is not None:
                ahead.cancel()
        await self._report(phase, force=True)

    async def _report(self, phase: str, *, force: bool = False) -> None:
        consumed = self.source.consumed
        self.total = max(self.total, consumed)
        if self.on_progress is not None:
            self.on_progress(Progress(self.record.projection, phase, consumed, self.total))
        now = time.monotonic()
        if force or now - self._last_beat >= 1.0:
            self._last_beat = now
            await rebuilds.beat(self.db, self.record, consumed=consumed, total=self.total, phase=phase)
