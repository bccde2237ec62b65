"""One rebuild's run: draining its source into its target in batches, with the next records read
ahead (`ReadAhead`), progress reported, and a heartbeat beaten by a task of its own, so a rebuild
busy with a long batch is not taken for dead, and one that was (and was cleaned up) stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure

from projector_service.engine.backoff import Backoff
from projector_service.engine.batch import BatchProcessor, Report
from projector_service.engine.records import Incoming
from projector_service.rebuild import ledger
from projector_service.rebuild.readahead import ReadAhead
from projector_service.rebuild.sources import Source
from shared.tuning import freeze_survivors

log = logging.getLogger(__name__)
_CHUNK = 2000  # records read and decoded at a time, between two looks at the database's replies


class RebuildAbandonedError(RuntimeError):
    """Another process found this rebuild's heartbeat stale and cleaned it up: it must not switch."""


@dataclass(frozen=True)
class Progress:
    projection: str
    phase: str
    consumed: int
    total: int


@dataclass(frozen=True)
class RebuildOptions:
    batch_max_records: int = 20_000
    cache_docs: int = 100_000
    grace_seconds: float = 60.0
    stale_seconds: float = ledger.STALE_AFTER.total_seconds()
    """A rebuild without a heartbeat for this long is abandoned (it beats ten times as often)."""
    write_retry_seconds: float = 300.0
    """A batch whose write fails on the connection (MongoDB restarting, a reply that outlived the
    socket) is written again, with backoff, for up to this long before the rebuild gives up."""

    @property
    def heartbeat_seconds(self) -> float:
        return min(5.0, max(0.05, self.stale_seconds / 10))


class Run:
    """Drains the source into the target, reporting progress; a task of its own beats the heartbeat
    (a rebuild busy with one long batch is not taken for dead)."""

    def __init__(
        self,
        db: AsyncDatabase[Any],
        record: ledger.RebuildRecord,
        source: Source,
        processor: BatchProcessor,
        options: RebuildOptions,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.db, self.record, self.source, self.processor = db, record, source, processor
        self.options, self.on_progress = options, on_progress
        self.total = 0
        self.applied = 0
        self.parked = 0
        self.phase = "catching up"
        self._abandoned = False

    async def drain(self, phase: str) -> None:
        """Up to the source's mark, in batches; the next records are read and decoded (`ReadAhead`)
        while a batch is written."""
        self.phase = phase
        size = self.options.batch_max_records
        async with ReadAhead(self.source, chunk=min(size, _CHUNK), limit=2 * size) as reader:
            while items := await reader.take(size):
                report = await self._process(items)
                self.parked += report.parked
                self.applied += len(items)
                # The documents remembered (and the records read ahead) live on: without this, each
                # collection of the collector's older generations walks them all again.
                freeze_survivors()
                await self.source.commit(items)
                self._progress()
                if self._abandoned:
                    raise RebuildAbandonedError(f"{self.record.collection}: declared abandoned by another process")
        self._progress()

    async def _process(self, items: list[Incoming]) -> Report:
        """One batch, written again after a connection failure as the live projector does: the
        per-document version guards make a second write of what the first one stored a no-op."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.options.write_retry_seconds
        backoff = Backoff(cap=5.0)
        while True:
            try:
                return await self.processor.process(items, self.record.collection)
            except ConnectionFailure:
                if self._abandoned or loop.time() + backoff.next > give_up:
                    raise
                log.warning(
                    "%s: batch of %d failed on the connection; writing it again in %.1fs",
                    self.record.collection,
                    len(items),
                    backoff.next,
                    exc_info=True,
                )
                await backoff.wait()

    async def set_phase(self, phase: str) -> None:
        self.phase = phase
        self._progress()
        await self.beat()

    def _progress(self) -> None:
        self.total = max(self.total, self.applied)
        if self.on_progress is not None:
            self.on_progress(Progress(self.record.projection, self.phase, self.applied, self.total))

    async def beat(self) -> None:
        """Record the progress and the heartbeat; raises if another process declared this rebuild abandoned."""
        alive = await ledger.beat(self.db, self.record, consumed=self.applied, total=self.total, phase=self.phase)
        if not alive:
            self._abandoned = True
            raise RebuildAbandonedError(f"{self.record.collection}: declared abandoned by another process")

    @contextlib.asynccontextmanager
    async def beating(self) -> AsyncIterator[None]:
        async def loop() -> None:
            while not self._abandoned:
                await asyncio.sleep(self.options.heartbeat_seconds)
                try:
                    await self.beat()
                except RebuildAbandonedError:
                    return  # the rebuild stops at its next batch
                except Exception:  # MongoDB away for a moment: the rebuild's own writes will say so
                    log.warning("%s: heartbeat failed", self.record.collection, exc_info=True)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.beat()
