"""Read-your-writes across services: wait, bounded, until a view has caught up.

A command answers with a consistency token `stream:version:position`. Given it
(header `X-Consistency-Token`) or `min_version`, a read polls its view until the
document reaches that version, or the deadline passes; then it answers anyway and
says so in `X-Consistency-Timeout: true`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel

V = TypeVar("V", bound=BaseModel)


def min_version_for(stream_id: str, token: str | None, min_version: int | None) -> int | None:
    wanted = min_version
    if token:
        parts = token.rsplit(":", 2)
        if len(parts) == 3 and parts[0] == stream_id and parts[1].isdigit():
            wanted = max(wanted or 0, int(parts[1]))
    return wanted


async def read_at_least(
    read: Callable[[], Awaitable[V | None]], version: int | None, timeout: float
) -> tuple[V | None, bool]:
    """(view, timed_out). Without a version, one read."""
    view = await read()
    if version is None:
        return view, False
    deadline = time.monotonic() + timeout
    delay = 0.002
    while view is None or getattr(view, "version", 0) < version:
        if time.monotonic() >= deadline:
            return view, True
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
        view = await read()
    return view, False
