"""One contract for the payment saga's watch stores: the in-memory fake and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from command_service.commerce.payment_saga import InMemoryWatchStore, PostgresWatchStore, Watch, WatchState, WatchStore
from tests.support.infra import unique

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def postgres_watches(pg_pool: asyncpg.Pool) -> PostgresWatchStore:
    store = PostgresWatchStore(pg_pool)
    await store.create_schema()
    return store


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def watches(request: pytest.FixtureRequest) -> WatchStore:
    if request.param == "memory":
        return InMemoryWatchStore()
    store: PostgresWatchStore = request.getfixturevalue("postgres_watches")
    return store


def watch(order_id: str, *, minutes: int = 15, version: int = 1, state: WatchState = WatchState.WAITING) -> Watch:
    return Watch(order_id, T0 + timedelta(minutes=minutes), state, "payment not received within 900s", version)


async def test_a_saved_watch_reads_back_as_saved(watches: WatchStore) -> None:
    order_id = unique("ord-")
    assert await watches.get(order_id) is None
    await watches.save(watch(order_id))
    assert await watches.get(order_id) == watch(order_id)


async def test_a_save_older_than_the_stored_version_changes_nothing(watches: WatchStore) -> None:
    order_id = unique("ord-")
    newer = Watch(order_id, T0, WatchState.FAILED, "payment failed: declined", 3)
    await watches.save(newer)
    await watches.save(watch(order_id, version=2))  # a redelivered older event
    await watches.save(watch(order_id, version=3))  # the same version again
    assert await watches.get(order_id) == newer
    later = Watch(order_id, T0, WatchState.DONE, "paid", 4, "OrderConfirmed")
    await watches.save(later)
    assert await watches.get(order_id) == later


async def test_due_lists_the_waiting_whose_deadline_passed_earliest_first(watches: WatchStore) -> None:
    # Deadlines far in the past: other tests' watches share the PostgreSQL table, all later than these.
    early, late, future, done = (unique("ord-") for _ in range(4))
    await watches.save(watch(late, minutes=-60 * 24 * 400))
    await watches.save(watch(early, minutes=-60 * 24 * 401))
    await watches.save(watch(future, minutes=60))
    await watches.save(watch(done, minutes=-60 * 24 * 402, state=WatchState.DONE))
    due = await watches.due(T0 - timedelta(days=399), limit=1000)
    ours = [w.order_id for w in due if w.order_id in {early, late, future, done}]
    assert ours == [early, late]
    assert [w.order_id for w in await watches.due(T0 - timedelta(days=399), limit=1)] == [early]


async def test_finish_marks_done_with_the_outcome_and_it_is_no_longer_due(watches: WatchStore) -> None:
    order_id = unique("ord-")
    await watches.save(watch(order_id, minutes=-60 * 24 * 500))
    before = await watches.waiting()
    await watches.finish(order_id, "CANCELLED")
    finished = await watches.get(order_id)
    assert finished is not None and finished.state is WatchState.DONE and finished.outcome == "CANCELLED"
    assert finished.version == 1 and finished.deadline == watch(order_id).deadline - timedelta(
        minutes=15 + 60 * 24 * 500
    )
    assert order_id not in [w.order_id for w in await watches.due(T0, limit=10_000)]
    assert await watches.waiting() == before - 1
