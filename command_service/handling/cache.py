"""Aggregates kept in memory between commands: (state, version) per stream, so
loading reads only the events appended since (`read_stream(from_version=...)`)
instead of replaying a hot SKU's whole history on every order.

Safe because events are immutable and `evolve` is pure: a cached state at version
n is exactly what replaying events 1..n gives. A stale entry costs nothing but a
conflict on append, after which the next load reads the missing events. Entries
are per store (tests use many stores with the same stream ids) and bounded (LRU).

The dispatcher advances the entries of the streams it appended to (`advance`), so
this process's next command on them finds them current; see `trusting` in
`command_service.handling.loading` for when a command may decide on them unread.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from command_service.handling.wrapping import decided
from shared.envelope import NewEvent
from shared.events import parse_event

MAX_STREAMS = 20_000

Entries = OrderedDict[str, dict[Callable[..., Any], tuple[Any, int]]]
_caches: weakref.WeakKeyDictionary[Any, Entries] = weakref.WeakKeyDictionary()


def cached(store: Any, stream_id: str, evolve: Callable[..., Any]) -> tuple[Any, int] | None:
    entries = _caches.get(store)
    if entries is None:
        return None
    folds = entries.get(stream_id)
    if folds is None:
        return None
    entries.move_to_end(stream_id)
    return folds.get(evolve)


def entries_of(store: Any, stream_id: str) -> list[tuple[Callable[..., Any], Any, int]]:
    """(evolve, state, version) of every state this process caches for the stream."""
    entries = _caches.get(store)
    folds = entries.get(stream_id) if entries is not None else None
    return [(evolve, state, version) for evolve, (state, version) in (folds or {}).items()]


def remember(store: Any, stream_id: str, evolve: Callable[..., Any], state: Any, version: int) -> None:
    entries = _caches.get(store)
    if entries is None:
        entries = _caches.setdefault(store, OrderedDict())
    folds = entries.get(stream_id)
    if folds is None:
        folds = entries[stream_id] = {}
    old = folds.get(evolve)
    if old is not None and old[1] > version:
        return  # a concurrent load already saw more
    folds[evolve] = (state, version)
    entries.move_to_end(stream_id)
    while len(entries) > MAX_STREAMS:
        entries.popitem(last=False)


def advance(store: Any, stream_id: str, version: int, events: Sequence[NewEvent]) -> None:
    """`events` were appended to the stream, the last one at `version`: fold them into the
    entries that were current just before (others are stale and stay as they are)."""
    entries = _caches.get(store)
    folds = entries.get(stream_id) if entries is not None else None
    if not folds:
        return
    base = version - len(events)
    parsed = None
    for evolve, (state, at) in list(folds.items()):
        if at != base:
            continue
        if parsed is None:
            parsed = [decided(e) or parse_event(e.event_type, e.schema_version, e.data) for e in events]
        for event in parsed:
            state = evolve(state, event)
        folds[evolve] = (state, version)
