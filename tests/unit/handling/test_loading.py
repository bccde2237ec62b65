"""Loading aggregates: snapshots every N events, stale snapshots ignored, temporal queries."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from command_service.event_store import NO_STREAM, AppendStream, Snapshot
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import new_events
from command_service.handling.loading import AggregateType, load
from shared.commerce.events import ProductCreated, StockReserved
from shared.envelope import EventMetadata
from shared.events import DomainEvent, parse_event


@dataclass(frozen=True)
class Stock:
    sku: str = ""
    reserved: int = 0


def evolve(state: Stock, event: DomainEvent) -> Stock:
    if isinstance(event, ProductCreated):
        return Stock(sku=event.sku)
    if isinstance(event, StockReserved):
        return Stock(sku=state.sku, reserved=state.reserved + event.quantity)
    return state


KIND = AggregateType("product", Stock, evolve, schema_version=2, snapshot_every=3)


async def seeded(reservations: int) -> InMemoryEventStore:
    store = InMemoryEventStore()
    events: list[DomainEvent] = [ProductCreated(sku="P", name="n", category="c", price_paise=1, stock=100)]
    events += [StockReserved(sku="P", order_id=f"o{i}", quantity=1) for i in range(reservations)]
    await store.append([AppendStream("product-P", "product", NO_STREAM, new_events(events, EventMetadata()))])
    return store


async def test_a_long_load_leaves_a_snapshot_that_the_next_load_uses() -> None:
    store = await seeded(4)
    state, version = await load(store, KIND, "product-P", Stock())
    assert (state, version) == (Stock("P", 4), 5)
    snapshot = await store.latest_snapshot("product-P")
    assert snapshot == Snapshot("product-P", "product", 5, 2, {"sku": "P", "reserved": 4})

    # Prove the snapshot is used: doctor it; the load then starts from it.
    await store.save_snapshot(Snapshot("product-P", "product", 6, 2, {"sku": "P", "reserved": 40}))
    await store.append(
        [
            AppendStream(
                "product-P",
                "product",
                5,
                new_events([StockReserved(sku="P", order_id="x", quantity=1)], EventMetadata()),
            )
        ]
    )
    assert await load(store, KIND, "product-P", Stock()) == (Stock("P", 40), 6)


async def test_a_snapshot_of_another_schema_version_is_ignored() -> None:
    store = await seeded(2)
    await store.save_snapshot(Snapshot("product-P", "product", 3, 1, {"sku": "P", "reserved": 999}))
    assert await load(store, KIND, "product-P", Stock()) == (Stock("P", 2), 3)


async def test_state_as_of_a_version_and_a_moment() -> None:
    store = await seeded(3)
    assert await load(store, KIND, "product-P", Stock(), to_version=2) == (Stock("P", 1), 2)
    moment = (await store.read_stream("product-P"))[-1].recorded_at
    await store.append(
        [
            AppendStream(
                "product-P",
                "product",
                4,
                new_events([StockReserved(sku="P", order_id=str(uuid4()), quantity=5)], EventMetadata()),
            )
        ]
    )
    assert await load(store, KIND, "product-P", Stock(), as_of=moment) == (Stock("P", 3), 4)
    assert await load(store, KIND, "product-P", Stock()) == (Stock("P", 8), 5)


async def test_command_handling_loads_a_hot_product_from_its_snapshot() -> None:
    """Cold start (no in-memory cache): the handlers' load uses the product snapshot policy."""
    from command_service.commerce.domain import product as product_domain
    from tests.support.commands import loader

    store = await seeded(5)
    load = loader(store, snapshot_every_product=3)
    state, version = await load("product-P", product_domain.Product(sku="P"), product_domain.evolve)
    assert (state.reserved, version) == (5, 6)
    snapshot = await store.latest_snapshot("product-P")
    assert snapshot is not None and snapshot.version == 6 and snapshot.state["reserved"] == 5
    restored = product_domain.Product(**snapshot.state)
    assert restored == state


async def test_a_hot_aggregate_decided_on_cached_state_is_snapshotted_as_its_appends_cross_the_interval() -> None:
    """A warm process never loads the product from the store (it decides on its cached state), so
    the snapshot is written when an append crosses a multiple of the interval: a restart, or a
    past state at a version, then folds at most the interval's worth of events."""
    from command_service.commerce.commands import CreateProduct, RestockProduct
    from command_service.commerce.domain import product as product_domain
    from command_service.handling import Envelope
    from tests.support.commands import dispatcher

    store = InMemoryEventStore()
    run = dispatcher(store, snapshot_every_product=3)
    create = CreateProduct(sku="HOT", name="Phone", category="books", price_paise=1000, stock=1)
    await run(Envelope(create))
    seen = []
    for _ in range(6):  # versions 2..7
        await run(Envelope(RestockProduct(quantity=2), target_id="HOT"))
        snapshot = await store.latest_snapshot("product-HOT")
        seen.append(snapshot.version if snapshot is not None else None)
    assert seen == [None, 3, 3, 3, 6, 6]
    snapshot = await store.latest_snapshot("product-HOT")
    assert snapshot is not None
    folded = product_domain.Product(sku="HOT")
    for stored in await store.read_stream("product-HOT", 1, to_version=6):
        folded = product_domain.evolve(folded, parse_event(stored.event_type, stored.schema_version, stored.data))
    assert product_domain.Product(**snapshot.state) == folded
