"""One contract for the UPI reversal process manager's watch stores: the in-memory fake and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from command_service.upi.reversal import (
    InMemoryPaymentWatchStore,
    PaymentWatch,
    PaymentWatchStore,
    PostgresPaymentWatchStore,
    Stage,
)
from tests.support.infra import unique

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DAYS = 60 * 24


@pytest.fixture(scope="session")
async def postgres_payment_watches(pg_pool: asyncpg.Pool) -> PostgresPaymentWatchStore:
    store = PostgresPaymentWatchStore(pg_pool)
    await store.create_schema()
    await store.create_schema()  # idempotent: every saga process creates it at start
    return store


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def watches(request: pytest.FixtureRequest) -> PaymentWatchStore:
    if request.param == "memory":
        return InMemoryPaymentWatchStore()
    store: PostgresPaymentWatchStore = request.getfixturevalue("postgres_payment_watches")
    return store


def watch(
    vpa: str, payment_id: str = "p-1", *, minutes: int = 10, version: int = 3, stage: Stage = Stage.SWITCH
) -> PaymentWatch:
    return PaymentWatch(vpa, payment_id, "shop@okaxis", 100, stage, T0 + timedelta(minutes=minutes), version)


async def test_a_saved_watch_reads_back_as_saved_keyed_by_vpa_and_payment(watches: PaymentWatchStore) -> None:
    vpa = unique("v") + "@bahi"
    assert await watches.get(vpa, "p-1") is None
    await watches.save(watch(vpa))
    deemed = replace(watch(vpa, "p-2", version=4, stage=Stage.REVERSAL), reverse_by=T0 + timedelta(days=1))
    await watches.save(deemed)
    assert await watches.get(vpa, "p-1") == watch(vpa)
    assert await watches.get(vpa, "p-2") == deemed
    assert await watches.get(unique("v") + "@bahi", "p-1") is None


async def test_a_save_not_newer_than_the_stored_version_changes_nothing(watches: PaymentWatchStore) -> None:
    vpa = unique("v") + "@bahi"
    newer = replace(watch(vpa, version=7, stage=Stage.REVERSAL), reverse_by=T0)
    await watches.save(newer)
    await watches.save(watch(vpa, version=3))  # a redelivered older event
    await watches.save(watch(vpa, version=7))  # the same version again
    assert await watches.get(vpa, "p-1") == newer
    later = replace(newer, version=8, stage=Stage.DONE, outcome="UpiPaymentReversed")
    await watches.save(later)
    assert await watches.get(vpa, "p-1") == later


async def test_due_lists_the_watches_not_done_due_by_then_in_order(watches: PaymentWatchStore) -> None:
    # Due times far in the past: other tests' watches share the PostgreSQL table, all later than these.
    vpa = unique("v") + "@bahi"
    await watches.save(watch(vpa, "b-late", minutes=-400 * DAYS))
    await watches.save(watch(vpa, "a-late", minutes=-400 * DAYS, stage=Stage.REVERSAL))  # same time: by id
    await watches.save(watch(vpa, "early", minutes=-401 * DAYS))
    await watches.save(watch(vpa, "at-the-bound", minutes=-399 * DAYS))
    await watches.save(watch(vpa, "future", minutes=60))
    await watches.save(watch(vpa, "done", minutes=-402 * DAYS, stage=Stage.DONE))
    bound = T0 + timedelta(minutes=-399 * DAYS)
    ours = [w.payment_id for w in await watches.due(bound, limit=1000) if w.vpa == vpa]
    assert ours == ["early", "a-late", "b-late", "at-the-bound"]


async def test_advance_and_finish_move_a_watch_only_from_the_stage_named(watches: PaymentWatchStore) -> None:
    vpa = unique("v") + "@bahi"
    await watches.save(watch(vpa, minutes=-500 * DAYS))
    before = await watches.waiting()
    later = T0 + timedelta(minutes=5)
    assert not await watches.advance(vpa, "p-1", Stage.REVERSAL, Stage.DONE, later)  # not at that stage
    assert not await watches.finish(vpa, "p-1", Stage.REVERSAL, "REVERSED")
    assert await watches.advance(vpa, "p-1", Stage.SWITCH, Stage.REVERSAL, later)
    moved = await watches.get(vpa, "p-1")
    assert moved == replace(watch(vpa, minutes=-500 * DAYS), stage=Stage.REVERSAL, due_at=later)
    after = await watches.waiting()
    assert (after["SWITCH"], after["REVERSAL"]) == (before["SWITCH"] - 1, before["REVERSAL"] + 1)
    assert not await watches.finish(vpa, "p-1", Stage.SWITCH, "COMPLETED")  # a stale tick: moved on meanwhile
    assert await watches.finish(vpa, "p-1", Stage.REVERSAL, "REVERSED")
    finished = await watches.get(vpa, "p-1")
    assert finished is not None and (finished.stage, finished.outcome) == (Stage.DONE, "REVERSED")
    assert vpa not in [w.vpa for w in await watches.due(later, limit=10_000)]
    assert (await watches.waiting())["REVERSAL"] == before["REVERSAL"]
    assert not await watches.advance(unique("v") + "@bahi", "p-1", Stage.SWITCH, Stage.REVERSAL, later)
