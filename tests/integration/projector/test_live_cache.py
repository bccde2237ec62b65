"""The live projector remembers the documents it wrote and the live collection it wrote to;
both are guesses, checked on every write (MongoDB stand-in).

- Two live processors share the streams as after rebalances, one with the cache, one without:
  the cached one's documents go stale under it, its version guards fail, it reads them again,
  and every view ends equal to a from-scratch replay.
- A pointer switch between batches: the batch after it still goes to the old collection (where
  the last read said), and, read again after the write, to the new one; the next only to the new.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import FAILED, PARKED, Entry, ParkingLot
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import from_store
from projector_service.live.subscribers import LookAgainAtParked
from projector_service.read_models.pointers import switch
from shared.read_models import versioned
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import fresh_infra
from tests.support.projector import checksum, database

PROJECTIONS = COMMERCE_REGISTRY.projections

pytestmark = [pytest.mark.integration]


class FindCounter(monitoring.CommandListener):
    def __init__(self, collection: str) -> None:
        self.collection = collection
        self.finds = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == self.collection:
            self.finds += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@asynccontextmanager
async def counted(counter: FindCounter, name: str) -> AsyncIterator[Any]:
    """A database of our own, through a client that reports its finds to `counter`."""
    async with fresh_infra(f"{name}_{uuid.uuid4().hex[:6]}") as infra:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            infra.mongo_url, tz_aware=True, event_listeners=[counter]
        )
        try:
            yield client[infra.mongo_db]
        finally:
            await client.close()


async def test_stale_cached_documents_fail_their_guard_and_are_read_again() -> None:
    events = history(60, products=6, seed=31, tag="lc")
    items = [from_store(env) for env in events]
    async with fresh_infra(f"livecache_{uuid.uuid4().hex[:6]}") as infra, database(infra) as db:
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        await lot.ensure_indexes()
        for name, projection in PROJECTIONS.items():
            cached = BatchProcessor(db, projection, lot=lot, dead_letters=dead, live_cache_docs=1000)
            plain = BatchProcessor(db, projection, lot=lot, dead_letters=dead)
            for i, start in enumerate(range(0, len(items), 25)):  # the streams change hands every batch
                await (cached if i % 3 != 1 else plain).process_live(items[start : start + 25])
            reference = BatchProcessor(db, projection, lot=lot, dead_letters=dead)
            await reference.process(items, f"{name}_reference")
            assert await checksum(db, projection.collection) == await checksum(db, f"{name}_reference"), name


async def test_a_batch_of_remembered_documents_reads_none_of_them() -> None:
    events = [e for e in history(30, products=4, seed=32, tag="lr") if e.stream_type == "order"]
    first = [e for e in events if e.version <= 2]
    later = [e for e in events if e.version > 2]
    assert first and later
    counter = FindCounter("order_view")
    async with counted(counter, "livereads") as db:
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        processor = BatchProcessor(db, PROJECTIONS["order_view"], lot=lot, dead_letters=dead, live_cache_docs=1000)
        await processor.process_live([from_store(e) for e in first])
        reads_before = counter.finds
        await processor.process_live([from_store(e) for e in later])
        assert counter.finds == reads_before  # every document was known: written, not read
        without = BatchProcessor(db, PROJECTIONS["order_view"], lot=lot, dead_letters=dead)
        await without.process_live([from_store(e) for e in first])  # redeliveries: read, nothing written
        assert counter.finds > reads_before


async def test_a_batch_of_new_orders_reads_none_and_a_redelivered_one_changes_nothing() -> None:
    """A document whose first event in the batch is its stream's first is not read before the
    write; if it exists after all (a redelivery), its insert meets the duplicate key, the runner
    reads it, sees the events applied already, and writes nothing."""
    events = [e for e in history(30, products=4, seed=33, tag="ln") if e.stream_type == "order"]
    first = [e for e in events if e.version <= 2]
    counter = FindCounter("order_view")
    async with counted(counter, "livenew") as db:
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        view = PROJECTIONS["order_view"]
        processor = BatchProcessor(db, view, lot=lot, dead_letters=dead, live_cache_docs=1000)
        report = await processor.process_live([from_store(e) for e in first])
        assert counter.finds == 0 and report.written == len({e.stream_id for e in first})
        stored = {d["_id"]: d async for d in db[view.collection].find({})}
        again = BatchProcessor(db, view, lot=lot, dead_letters=dead, live_cache_docs=1000)  # a new process
        redelivered = await again.process_live([from_store(e) for e in first])
        assert redelivered.written == 0 and counter.finds > 1
        assert {d["_id"]: d async for d in db[view.collection].find({})} == stored


async def test_a_look_that_found_nothing_parked_stands_until_parking_or_a_rebalance() -> None:
    """`ParkingLot(empty_for=...)`: one lookup for many batches while nothing is parked; parking
    (by this process) or new partitions (`LookAgainAtParked`) make the next batch look again."""
    events = [e for e in history(6, products=2, seed=34, tag="lp") if e.stream_type == "order"]
    counter = FindCounter(PARKED)
    async with counted(counter, "liveparked") as db:
        lot = ParkingLot(db, empty_for=60.0)
        streams = {e.stream_id for e in events}
        assert await lot.heads("order_view", streams) == {} and counter.finds == 1
        assert await lot.heads("order_view", streams) == {} and counter.finds == 1  # the look stands
        assert await lot.heads("customer_orders", streams) == {} and counter.finds == 2  # per collection
        poison = from_store(events[0])
        await lot.park("order_view", "order_view", [Entry(poison, FAILED, error="boom")])
        heads = await lot.heads("order_view", streams)
        assert set(heads) == {events[0].stream_id} and counter.finds > 2  # looked again, saw it
        looked = counter.finds
        assert await lot.heads("customer_orders", streams) == {} and counter.finds == looked  # still stands
        LookAgainAtParked(lot).on_partitions_assigned(set())
        assert await lot.heads("customer_orders", streams) == {} and counter.finds == looked + 1
        every_time = ParkingLot(db)  # empty_for=0: a look before every batch
        await every_time.heads("customer_orders", streams)
        await every_time.heads("customer_orders", streams)
        assert counter.finds == looked + 3


async def test_a_switch_between_batches_reaches_the_new_collection() -> None:
    events = [e for e in history(30, products=4, seed=33, tag="ls") if e.stream_type == "order"]
    streams = sorted({e.stream_id for e in events})
    groups = [set(streams[k::3]) for k in range(3)]  # three batches, each the whole history of its orders
    batches = [[from_store(e) for e in events if e.stream_id in group] for group in groups]
    last = [{e.stream_id: e.version for e in events if e.stream_id in group} for group in groups]
    async with fresh_infra(f"liveswitch_{uuid.uuid4().hex[:6]}") as infra, database(infra) as db:
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        projection = PROJECTIONS["order_view"]
        old, new = projection.collection, versioned(projection.collection, 2)

        async def stored(collection: str) -> dict[str, int]:
            return {d["_id"]: d["version"] async for d in db[collection].find({}, {"version": 1})}

        processor = BatchProcessor(db, projection, lot=lot, dead_letters=dead, live_cache_docs=1000)
        await processor.process_live(batches[0])
        assert await stored(old) == last[0]
        assert await switch(db, old, expected=old, new=new)
        await processor.process_live(batches[1])
        assert await stored(old) == last[0] | last[1]  # where the last read said
        assert await stored(new) == last[1]  # and, read again after the write, here too
        await processor.process_live(batches[2])
        assert await stored(old) == last[0] | last[1]
        assert await stored(new) == last[1] | last[2]
