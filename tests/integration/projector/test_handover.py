"""The live projector at a rebuild's switch (MongoDB stand-in): it writes nothing into the
switched-in collection until the rebuild has finished its handover.

Until then that collection lacks what the live projector wrote past the rebuild's last mark into
the old one; writing a later event of a document first would make those earlier ones look like
redeliveries, and they would be skipped (seen under load: documents at their last version with
events missing from their timelines).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import from_store
from projector_service.read_models.pointers import switch
from projector_service.rebuild import ledger
from shared.read_models import versioned
from tests.support.histories import REGISTRY as COMMERCE_REGISTRY
from tests.support.histories import history
from tests.support.infra import fresh_infra
from tests.support.projector import database

VIEW = COMMERCE_REGISTRY.projections["order_view"]

pytestmark = [pytest.mark.integration]


def one_order(seed: int) -> list:  # type: ignore[type-arg]
    """The events of the order with the longest history, in version order."""
    events = [e for e in history(40, products=4, seed=seed, tag="ho") if e.stream_type == "order"]
    longest = max({e.stream_id for e in events}, key=lambda s: sum(e.stream_id == s for e in events))
    mine = sorted((e for e in events if e.stream_id == longest), key=lambda e: e.version)
    assert len(mine) >= 4, "the history should have an order with four events or more"
    return mine


async def test_after_a_switch_the_live_batch_waits_for_the_handover_before_writing_to_the_new_view() -> None:
    events = one_order(41)
    early, late = events[:2], events[2:]
    async with fresh_infra(f"handover_{uuid.uuid4().hex[:6]}") as infra, database(infra) as db:
        lot, dead = ParkingLot(db), DeadLetters(None, "unused")
        await lot.ensure_indexes()
        asked: list[str] = []
        asked_new, release = asyncio.Event(), asyncio.Event()
        new = versioned(VIEW.collection, 1)

        async def handed_over(collection: str) -> None:
            asked.append(collection)
            if collection == new:
                asked_new.set()
                await release.wait()

        live = BatchProcessor(db, VIEW, lot=lot, dead_letters=dead, live_cache_docs=1000, handed_over=handed_over)
        await live.process_live([from_store(e) for e in early])  # into the old view
        assert asked == [VIEW.collection]  # its first write into a collection waited for its handover
        # A rebuild got only the first event into its target before it switched: the second is what
        # its handover drain brings.
        rebuild = BatchProcessor(db, VIEW, lot=lot, dead_letters=dead)
        await rebuild.process([from_store(events[0])], new)
        assert await switch(db, VIEW.collection, expected=VIEW.collection, new=new)

        straddling = asyncio.create_task(live.process_live([from_store(e) for e in late]))
        await asyncio.wait_for(asked_new.wait(), timeout=60)  # written to the old view, now waiting
        doc = await db[new].find_one({"_id": events[0].stream_id})
        assert doc is not None and doc["version"] == events[0].version  # nothing written there yet
        await rebuild.process([from_store(events[1])], new)  # the handover drain
        release.set()
        await asyncio.wait_for(straddling, timeout=60)

        old_doc = await db[VIEW.collection].find_one({"_id": events[0].stream_id})
        new_doc = await db[new].find_one({"_id": events[0].stream_id})
        assert new_doc is not None and old_doc is not None
        assert new_doc["version"] == events[-1].version
        assert [step["event"] for step in new_doc["timeline"]] == [step["event"] for step in old_doc["timeline"]]
        assert len(new_doc["timeline"]) == len(events)


async def test_handed_over_waits_while_a_running_rebuild_beats_and_not_for_a_finished_or_dead_one() -> None:
    async with fresh_infra(f"handedover_{uuid.uuid4().hex[:6]}") as infra, database(infra) as db:
        stale_after = timedelta(seconds=30)
        target = versioned("order_view", 3)
        await ledger.handed_over(db, target, stale_after=stale_after)  # no rebuild at all
        record = ledger.RebuildRecord("order_view", target, 3, "kafka", None)
        await ledger.begin(db, record, replaced="order_view", stale_after=stale_after)
        polls = 0
        polled_twice = asyncio.Event()

        def on_wait() -> None:
            nonlocal polls
            polls += 1
            if polls >= 2:
                polled_twice.set()

        waiting = asyncio.create_task(ledger.handed_over(db, target, stale_after=stale_after, on_wait=on_wait))
        await asyncio.wait_for(polled_twice.wait(), timeout=60)
        assert not waiting.done()  # it looked twice and is still waiting: the rebuild runs
        await ledger.finish(db, record, ledger.SWITCHED)
        await asyncio.wait_for(waiting, timeout=60)

        dead = ledger.RebuildRecord("order_view", versioned("order_view", 4), 4, "kafka", None)
        await ledger.begin(db, dead, replaced=target, stale_after=stale_after)
        await db[ledger.REBUILDS].update_one(
            {"_id": dead.id}, {"$set": {"heartbeat": datetime.now(UTC) - 2 * stale_after}}
        )
        await asyncio.wait_for(ledger.handed_over(db, dead.collection, stale_after=stale_after), timeout=60)
