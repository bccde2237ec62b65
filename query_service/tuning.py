"""Process settings for latency: the cyclic garbage collector.

Start-up leaves ~75,000 long-lived objects (FastAPI routes, pydantic schemas,
pymongo); with CPython's default thresholds a full collection walked them all,
40-50 ms with the whole process stopped, several times a second under load: most
of the query service's p99, and 1.3 s of CPU in 6 s of serving. Those objects are
frozen out of the collector, and young collections run every 50,000 net
allocations instead of 700 (a request's objects die by reference counting; the
few cycles it makes are still collected). Measured at 64 connections as in
tests/bench/bench_query.py: GET /hello 4,331 -> 6,459/s, p99 45 -> 14 ms;
GET /v1/orders/{id} 2,482 -> 4,048/s, p99 74 -> 26 ms.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 50_000


@contextmanager
def gc_tuned() -> Iterator[None]:
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, 20, 50)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
