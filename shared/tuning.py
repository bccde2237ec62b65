"""The one place that tunes the cyclic garbage collector, for every service: process settings
(`gc_tuned`), a pause while a batch is built (`collector_paused`) and freezing a batch job's
survivors (`freeze_survivors`).

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


def collector_paused() -> _CollectorPaused:
    """The cyclic collector off while a batch of short-lived, acyclic objects is built (a page of
    event rows: `command_service.event_store.rows`); allocations still count, so one collection
    runs once it is done instead of one every few hundred objects."""
    return _CollectorPaused()


class _CollectorPaused:
    """A class, not a `@contextmanager` generator: a generator's exit allocates (its
    StopIteration) right after the collector is back on, and the page's allocations have
    the young count far over its threshold, so a young collection ran at once, with the
    page's rows and the caller's previous page still alive: every page paid a scan of
    both pages and promoted them. Here nothing is allocated between switching the
    collector back on and the return, by which time the rows are gone and a reader that
    drops its previous page for the new one is back under the threshold: a page read
    starts no collection of its own (tests/unit/shared/test_collector_pause.py checks that;
    `python -m tests.bench.bench_feed` re-measures read_all against raw pages)."""

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *_: object) -> None:
        if self._was_enabled:
            gc.enable()


def freeze_survivors() -> None:
    """Move every object alive now out of the collector's generations: for long batch jobs whose
    working set (documents remembered, records read ahead) lives on, so older-generation
    collections stop walking it again and again. Frozen objects are still freed when unreferenced."""
    gc.freeze()
