"""The wait before a failed batch is written again (live and rebuild alike): doubling from
`first`, capped, reset by a success."""

from __future__ import annotations

import asyncio


class Backoff:
    def __init__(self, cap: float, first: float = 0.1) -> None:
        self._cap, self._first, self._next = cap, first, first

    @property
    def next(self) -> float:
        """Seconds the next `wait` sleeps."""
        return self._next

    async def wait(self) -> None:
        await asyncio.sleep(self._next)
        self._next = min(self._next * 2, self._cap)

    def reset(self) -> None:
        self._next = self._first
