"""Blue/green rebuild of one projection: replay its history into a new versioned
collection, switch the read model's pointer to it in one write, retire the old one.

0. The abandoned rebuilds of the read model (their process died: no heartbeat)
   are cleaned up: their targets dropped, their records marked failed, their
   consumer groups deleted.
1. A fresh target `<name>__v<n>` is created.
2. The source (Kafka from the earliest offset under a new consumer group, or the
   event store) is drained into it, to the end captured at the start. Then the
   read model's indexes are built (once, over the loaded documents, cheaper than
   maintaining them per insert) and the source is drained to the end as it is
   after that.
3. The pointer switches, if the live collection is still the one the rebuild
   started from and nobody declared this rebuild abandoned. Until then queries
   answered from the old view.
4. The source is drained once more to its end as it is after the switch: the
   live projector may have written its last batches only to the old view (it
   re-reads the pointer after every write and repeats a batch on the new one).
   The live projector writes nothing into the new view until this handover is
   done (`ledger.handed_over`): a later event of a document written first would
   make the missing earlier ones look like redeliveries.
5. The old collection is dropped after the grace period (a pending drop any
   projector, or the CLI, performs).
Switched or failed, once its source stopped, the rebuild deletes its consumer group:
the live projector consumes under its own group and never reads the rebuild's offsets.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot, describe
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.documents import DocCache
from projector_service.engine.projection import Projection
from projector_service.read_models.indexes import ensure_indexes
from projector_service.read_models.pointers import live_collection, next_generation, schedule_drop, switch
from projector_service.rebuild import ledger
from projector_service.rebuild.kafka_groups import GroupDeleter
from projector_service.rebuild.run import Progress, RebuildAbandonedError, RebuildOptions, Run
from projector_service.rebuild.sources import Source
from shared.read_models import versioned

__all__ = [
    "EmptyHistoryError",
    "Progress",
    "RebuildAbandonedError",
    "RebuildOptions",
    "RebuildResult",
    "SwitchConflictError",
    "rebuild",
]


class EmptyHistoryError(RuntimeError):
    """The source had nothing while the live view has documents: a wrong prefix or a lost topic."""


log = logging.getLogger(__name__)


class SwitchConflictError(RuntimeError):
    """The live collection changed while we rebuilt (another rebuild switched first)."""


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


async def rebuild(
    db: AsyncDatabase[Any],
    projection: Projection,
    source: Source,
    *,
    indexes: Sequence[IndexModel],
    lot: ParkingLot,
    dead_letters: DeadLetters,
    options: RebuildOptions,
    on_progress: Callable[[Progress], None] | None = None,
    groups: GroupDeleter | None = None,
) -> RebuildResult:
    """`indexes`: the read model's (`ProjectorRegistry.indexes_for`), built on the target before the switch.
    `groups` deletes the consumer groups of this rebuild and of the abandoned ones (None: left)."""
    name = projection.collection
    stale_after = timedelta(seconds=options.stale_seconds)
    cleaned = await ledger.clean_up(
        db, lot, projection.name, stale_after=stale_after, grace_seconds=options.grace_seconds, groups=groups
    )
    for abandoned in cleaned:
        log.warning("%s: cleaned up the abandoned rebuild into %s", projection.name, abandoned)
    old = await live_collection(db, name)
    generation = await next_generation(db, name)
    target = versioned(name, generation)
    record = ledger.RebuildRecord(projection.name, target, generation, source.kind, source.group)
    await ledger.begin(db, record, replaced=old, stale_after=stale_after)
    processor = BatchProcessor(db, projection, lot=lot, dead_letters=dead_letters, cache=DocCache(options.cache_docs))
    run = Run(db, record, source, processor, options, on_progress)
    switched = False
    try:
        async with run.beating():
            with contextlib.suppress(CollectionInvalid):
                await db.create_collection(target)
            started = time.monotonic()
            run.total = await source.start()
            await run.drain("catching up")
            await run.set_phase("building indexes")
            await ensure_indexes(db, indexes, target)
            await source.mark()
            await run.drain("closing the gap")
            if source.consumed == 0 and await db[old].estimated_document_count() > 0:
                raise EmptyHistoryError(f"{name}: the source had no events but {old} has documents; not switching")
            if processor.cache is not None:
                processor.cache.disable()  # from the switch on, the live projector writes here too
            await run.set_phase("switching")  # raises if it was declared abandoned meanwhile
            if not await switch(db, name, expected=old, new=target):
                raise SwitchConflictError(f"{name}: the live collection is no longer {old}; {target} not switched in")
            switched = True
            switched_at = datetime.now(UTC)
            seconds = time.monotonic() - started
            await source.mark()
            await run.drain("handover")
        due = await schedule_drop(db, old, name, options.grace_seconds)
        await ledger.finish(db, record, ledger.SWITCHED, consumed=run.applied, switched_at=switched_at)
    except BaseException as exc:
        await ledger.finish(db, record, ledger.FAILED, error=describe(exc), switched=switched)
        if not switched:  # it never went live: nobody reads it
            await db.drop_collection(target)
            await lot.forget_collection(target)
        raise
    finally:
        await source.stop()
        if groups is not None and record.group is not None:  # nothing commits under it any more
            deletion = await groups.delete(record.group)
            await ledger.note_group(db, record.id, deletion)
    return RebuildResult(projection.name, target, old, run.applied, seconds, switched_at, due, run.parked)
