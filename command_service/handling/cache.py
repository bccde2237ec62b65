"""Aggregates kept in memory between commands: (state, version) per stream, so
loading reads only the events appended since (`read_stream(from_version=...)`)
instead of replaying a hot SKU's whole history on every order.

Safe because events are immutable and `evolve` is pure: a cached state at version
n is exactly what replaying events 1..n gives. A stale entry costs nothing but a
conflict on append, after which the next load reads the missing events. Entries
are per store (tests use many stores with the same stream ids) and bounded (LRU).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_STREAMS = 20_000

_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, Callable[..., Any]], tuple[Any, int]]] = (
    weakref.WeakKeyDictionary()
)


def cached(store: Any, stream_id: str, evolve: Callable[..., Any]) -> tuple[Any, int] | None:
    entries = _caches.get(store)
    if entries is None:
        return None
    hit = entries.get((stream_id, evolve))
    if hit is not None:
        entries.move_to_end((stream_id, evolve))
    return hit


def remember(store: Any, stream_id: str, evolve: Callable[..., Any], state: Any, version: int) -> None:
    entries = _caches.setdefault(store, OrderedDict())
    key = (stream_id, evolve)
    old = entries.get(key)
    if old is not None and old[1] > version:
        return  # a concurrent load already saw more
    entries[key] = (state, version)
    entries.move_to_end(key)
    while len(entries) > MAX_STREAMS:
        entries.popitem(last=False)
