"""Projections against the real MongoDB stand-in: effectively once under redelivery and races."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from projector_service.engine.apply import apply_batch
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
