"""Prototype (not the product) for reading the feed: a garbage-collector setting for the
processes that read the feed (relay, rebuilds). The other prototype that lived here, an
envelope built from the row without re-validating it, is the product now
(command_service/event_store/rows.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_tuned() -> Iterator[None]:
    """Prototype of a process setting (relay / rebuild entry points): the cyclic collector
    runs every 700 net container allocations by default, and a page of 1000-2000 events
    held in a list makes ~5 containers per event survive: collections run every ~150
    events and keep promoting the page. Freeze what start-up allocated, collect rarely."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
