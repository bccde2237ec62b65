"""A rebuild's batch that fails on MongoDB's connection is written again (with backoff) instead of
ending the rebuild; other errors, and a failure that outlasts the retry window, still end it. No I/O:
a fake source and a fake batch processor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pytest
from pymongo.errors import AutoReconnect, OperationFailure

from projector_service.engine.batch import BatchProcessor, Report
from projector_service.engine.records import Coordinates, Incoming
from projector_service.rebuild import ledger
from projector_service.rebuild.run import RebuildOptions, Run
from projector_service.rebuild.sources import Source


class Records:
    kind, group = "fake", None

    def __init__(self, count: int) -> None:
        self._count, self.consumed = count, 0
        self.committed: list[int] = []

    async def start(self) -> int:
        return self._count

    async def read(self, max_records: int) -> list[Incoming]:
        end = min(self._count, self.consumed + max_records)
        items = [Incoming(Coordinates("t", 0, n), b"k", b"{}", (), 0, None) for n in range(self.consumed, end)]
        self.consumed = end
        return items

    async def mark(self) -> None: ...

    async def reached_mark(self) -> bool:
        return self.consumed >= self._count

    async def commit(self, items: Sequence[Incoming]) -> None:
        self.committed.extend(item.coords.offset for item in items)

    async def stop(self) -> None: ...


class Flaky:
    """Fails its first `failures` calls with `error`, then applies each batch."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error = failures, error
        self.calls = 0
        self.applied: list[int] = []

    async def process(self, items: Sequence[Incoming], collection: str) -> Report:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        self.applied.extend(item.coords.offset for item in items)
        return Report(len(items), len(items))


def run(source: Records, processor: Flaky, retry_seconds: float) -> Run:
    record = ledger.RebuildRecord("p", "p__v2", 2, "kafka", None)
    options = RebuildOptions(batch_max_records=10, write_retry_seconds=retry_seconds)
    return Run(cast(Any, None), record, cast(Source, source), cast(BatchProcessor, processor), options, None)


async def test_a_batch_failing_on_the_connection_is_written_again_and_the_rebuild_completes() -> None:
    source, processor = Records(35), Flaky(3, AutoReconnect("connection cancelled"))
    await run(source, processor, retry_seconds=60).drain("catching up")
    assert processor.calls == 4 + 3  # four batches, the first written on its fourth try
    assert processor.applied == list(range(35)) and source.committed == list(range(35))


async def test_a_failure_outlasting_the_retry_window_ends_the_rebuild_with_nothing_committed() -> None:
    source, processor = Records(35), Flaky(10**6, AutoReconnect("server gone"))
    with pytest.raises(AutoReconnect):
        await run(source, processor, retry_seconds=0.5).drain("catching up")
    assert 1 < processor.calls < 10 and source.committed == []


async def test_an_error_that_is_not_the_connection_is_not_retried() -> None:
    source, processor = Records(35), Flaky(1, OperationFailure("not authorized"))
    with pytest.raises(OperationFailure):
        await run(source, processor, retry_seconds=60).drain("catching up")
    assert processor.calls == 1 and source.committed == []
