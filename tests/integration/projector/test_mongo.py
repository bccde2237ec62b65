"""Projections against the real MongoDB stand-in: effectively once under redelivery and races."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from projector_service.engine.apply import YIELD_EVERY, apply_batch
from shared.commerce.events import ProductCreated, StockReserved
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.infra import unique
from tests.support.views import order_events, stored

PROJECTIONS = COMMERCE_REGISTRY.projections

pytestmark = pytest.mark.integration


async def test_the_same_batch_twice_leaves_the_view_unchanged(mongo: Any) -> None:
    projection = PROJECTIONS["order_view"]
    collection = mongo[unique("order_view_")]
    events = order_events()
    await apply_batch(collection, projection, events)
    first = await collection.find_one({"_id": "ord-1"})
    assert await apply_batch(collection, projection, events) == 0
    assert await apply_batch(collection, projection, events[:1]) == 0
    assert await collection.find_one({"_id": "ord-1"}) == first
    assert first["status"] == "CONFIRMED" and first["version"] == 2


async def test_racing_projectors_lose_no_update(mongo: Any) -> None:
    """Two writers (a rebalance) applying overlapping batches: every reservation counted once."""
    projection = PROJECTIONS["product_view"]
    collection = mongo[unique("product_view_")]
    events = stored(
        "product-P",
        "product",
        [
            ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=1000),
            *[StockReserved(sku="P", order_id=f"o{i}", quantity=1) for i in range(60)],
        ],
    )
    await asyncio.gather(
        *(apply_batch(collection, projection, events[: i + 1]) for i in range(0, 61, 3)),
        apply_batch(collection, projection, events),
    )
    doc = await collection.find_one({"_id": "P"})
    assert (doc["reserved"], doc["available"], doc["version"]) == (60, 940, 61)


async def test_a_long_fold_lets_the_event_loop_run(mongo: Any) -> None:
    """A batch whose fold is long (here 600 events of one product) does not hold the event loop for
    the whole of it: a task beside it (as the Kafka heartbeats are) runs while the events fold."""
    base = PROJECTIONS["product_view"]
    ticks = 0
    seen: list[int] = []

    def apply(doc: Any, event: Any, env: Any) -> Any:
        seen.append(ticks)
        return base.apply(doc, event, env)

    projection = replace(base, apply=apply)
    events = stored(
        "product-P",
        "product",
        [
            ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=1000),
            *[StockReserved(sku="P", order_id=f"o{i}", quantity=1) for i in range(599)],
        ],
    )

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    beside = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        await apply_batch(mongo[unique("product_view_")], projection, events)
    finally:
        beside.cancel()
    assert len(seen) == 600
    assert seen[-1] - seen[0] >= 600 // YIELD_EVERY - 1, "the fold never yielded to the loop"
