"""The rebuild's read-ahead over a fake source: order, batch sizes, bounded memory, errors. No I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from projector_service.engine.records import Coordinates, Incoming
from projector_service.rebuild.readahead import ReadAhead


def incoming(offset: int) -> Incoming:
    return Incoming(Coordinates("t", 0, offset), b"k", b"{}", (), 0, None)


class FakeSource:
    kind, group = "fake", None

    def __init__(self, count: int, *, fail_at: int | None = None) -> None:
        self.consumed = 0
        self._count = count
        self._fail_at = fail_at
        self.reads: list[int] = []

    async def start(self) -> int:
        return self._count

    async def read(self, max_records: int) -> list[Incoming]:
        if self._fail_at is not None and self.consumed >= self._fail_at:
            raise ConnectionError("broker gone")
        end = min(self._count, self.consumed + max_records)
        items = [incoming(n) for n in range(self.consumed, end)]
        self.consumed = end
        self.reads.append(len(items))
        return items

    async def mark(self) -> None: ...

    async def reached_mark(self) -> bool:
        return self.consumed >= self._count

    async def commit(self, items: Sequence[Incoming]) -> None: ...

    async def stop(self) -> None: ...


def offsets(items: Sequence[Incoming]) -> list[int]:
    return [item.coords.offset for item in items]


async def test_it_hands_over_every_record_in_order_in_batches_of_the_size_asked() -> None:
    source = FakeSource(1050)
    async with ReadAhead(source, chunk=100, limit=400) as reader:
        batches = []
        while batch := await reader.take(300):
            batches.append(batch)
    assert [len(b) for b in batches] == [300, 300, 300, 150]
    assert offsets([i for b in batches for i in b]) == list(range(1050))
    assert set(source.reads) == {100, 50}  # small reads: the loop gets a turn between them


async def test_it_reads_at_most_its_limit_ahead_of_what_was_taken() -> None:
    source = FakeSource(10_000)
    async with ReadAhead(source, chunk=100, limit=500) as reader:
        first = await reader.take(200)
        for _ in range(20):  # the reader gets every chance to run
            await asyncio.sleep(0)
        assert len(first) == 200 and source.consumed <= 200 + 500
        assert offsets(await reader.take(200)) == list(range(200, 400))


async def test_an_empty_source_gives_nothing_and_a_failing_one_raises_after_what_it_read() -> None:
    async with ReadAhead(FakeSource(0), chunk=10, limit=10) as reader:
        assert await reader.take(5) == []
    async with ReadAhead(FakeSource(100, fail_at=30), chunk=10, limit=100) as reader:
        assert offsets(await reader.take(50)) == list(range(30))
        with pytest.raises(ConnectionError):
            await reader.take(50)


async def test_leaving_early_stops_the_reader() -> None:
    source = FakeSource(1_000_000)
    async with ReadAhead(source, chunk=10, limit=20) as reader:
        await reader.take(5)
    read = source.consumed
    await asyncio.sleep(0)
    assert source.consumed == read < 1_000_000
