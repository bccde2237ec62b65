"""Process settings for the cyclic garbage collector, shared by every service.

Start-up leaves tens of thousands of long-lived objects (FastAPI routes, pydantic
schemas, drivers); with CPython's default thresholds (a young collection every 700
net allocations, a full one every few hundred young ones) the collector keeps
walking them, and a service holding batches of events rescans the whole batch every
~150 events.

`gc_tuned` freezes what exists at start-up out of the collector and collects young
objects every `gen0` net allocations instead. Our code makes few reference cycles;
those it makes are still collected.

What it buys: the query service's tail latency no longer carries full collections
over everything start-up made, and the relay and rebuilds decode batches of events
without rescanning them over and over. Re-measure with `python -m tests.bench.bench_query`
(the query service runs it; p99 of the order read), `python -m tests.bench.bench_rebuild`
(the rebuild command runs it), `python -m tests.bench.bench_relay` (the relay process
runs it) and `python -m tests.bench.bench_feed` (its *_gc passes, raw included).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 50_000


@contextmanager
def gc_tuned(gen0: int = GEN0_THRESHOLD, *, collect_first: bool = False) -> Iterator[None]:
    """`collect_first`: a full collection before freezing, so start-up garbage is not frozen too."""
    before = gc.get_threshold()
    if collect_first:
        gc.collect()
    gc.freeze()
    gc.set_threshold(gen0, 20, 50)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
