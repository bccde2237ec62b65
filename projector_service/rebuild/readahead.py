"""Reading a rebuild's source ahead of its writes.

A rebuild spends its time in two processes: this one (fetching, decoding and
folding events) and the database (writing documents). `ReadAhead` reads and
decodes in a task of its own, in small chunks with a yield to the event loop
after each: whenever the rebuild awaits a write, the next records are being
decoded, so the two processes work at the same time instead of taking turns.
It keeps at most `limit` records decoded ahead (memory stays bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

from projector_service.engine.records import Incoming
from projector_service.rebuild.sources import Source


class ReadAhead:
    """Reads `source` to its mark; `take` hands the records over in order."""

    def __init__(self, source: Source, *, chunk: int, limit: int) -> None:
        self._source = source
        self._chunk = max(1, chunk)
        self._limit = max(self._chunk, limit)
        self._buffer: list[Incoming] = []
        self._filled = asyncio.Event()  # records arrived, or the reader stopped
        self._drained = asyncio.Event()  # records were taken
        self._done = False
        self._error: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ReadAhead:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        try:
            while not await self._source.reached_mark():
                while len(self._buffer) >= self._limit:
                    self._drained.clear()
                    await self._drained.wait()
                self._buffer.extend(await self._source.read(self._chunk))
                self._filled.set()
                await asyncio.sleep(0)  # a write's reply may be waiting: let the rebuild go on
        except Exception as exc:  # handed to the rebuild by `take`
            self._error = exc
        finally:
            self._done = True
            self._filled.set()

    async def take(self, size: int) -> list[Incoming]:
        """The next `size` records (fewer only at the mark); [] when everything up to the mark was taken."""
        while len(self._buffer) < size and not self._done:
            self._filled.clear()
            await self._filled.wait()
        if self._error is not None and not self._buffer:
            raise self._error
        batch = self._buffer[:size]
        del self._buffer[:size]
        self._drained.set()
        return batch
