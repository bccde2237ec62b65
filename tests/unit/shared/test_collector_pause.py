"""`shared.tuning.collector_paused`: the cyclic collector off while a page is fetched and built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from shared.tuning import collector_paused


@pytest.fixture
def young_collections() -> Iterator[list[int]]:
    started: list[int] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 0:
            started.append(1)

    was_enabled = gc.isenabled()
    gc.enable()
    gc.callbacks.append(on_gc)
    try:
        yield started
    finally:
        gc.callbacks.remove(on_gc)
        if not was_enabled:
            gc.disable()


def test_off_inside_and_back_on_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_back_on_after_an_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_leaving_starts_no_collection_before_the_caller_drops_its_garbage(young_collections: list[int]) -> None:
    # A page's worth of container allocations puts the young count far over its threshold.
    # Leaving the block must allocate nothing: the caller frees what it no longer needs
    # first, the count falls back, and no young collection scans the page. (A generator
    # context manager raised StopIteration right there, and a collection started.)
    gc.collect()
    young_collections.clear()
    with collector_paused():
        page = [[] for _ in range(5 * gc.get_threshold()[0])]
    del page
    assert young_collections == []
