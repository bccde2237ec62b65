"""One contract for the hold-expiry manager's watch stores: the in-memory fake and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from command_service.wallets.hold_expiry import (
    HoldWatch,
    HoldWatchStore,
    InMemoryHoldWatchStore,
    PostgresHoldWatchStore,
    WatchState,
)
from tests.support.infra import unique

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def postgres_hold_watches(pg_pool: asyncpg.Pool) -> PostgresHoldWatchStore:
    store = PostgresHoldWatchStore(pg_pool)
    await store.create_schema()
    await store.create_schema()  # idempotent: every saga process creates it at start
    return store


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def watches(request: pytest.FixtureRequest) -> HoldWatchStore:
    if request.param == "memory":
        return InMemoryHoldWatchStore()
    store: PostgresHoldWatchStore = request.getfixturevalue("postgres_hold_watches")
    return store


def watch(
    wallet_id: str,
    payment_id: str = "p-1",
    *,
    minutes: int = 10,
    version: int = 3,
    state: WatchState = WatchState.WAITING,
) -> HoldWatch:
    return HoldWatch(wallet_id, payment_id, T0 + timedelta(minutes=minutes), state, version)


async def test_a_saved_watch_reads_back_as_saved_keyed_by_wallet_and_payment(watches: HoldWatchStore) -> None:
    wallet_id = unique("wal-")
    assert await watches.get(wallet_id, "p-1") is None
    await watches.save(watch(wallet_id))
    await watches.save(watch(wallet_id, "p-2", version=4))
    assert await watches.get(wallet_id, "p-1") == watch(wallet_id)
    assert await watches.get(wallet_id, "p-2") == watch(wallet_id, "p-2", version=4)
    assert await watches.get(unique("wal-"), "p-1") is None


async def test_a_save_not_newer_than_the_stored_version_changes_nothing(watches: HoldWatchStore) -> None:
    wallet_id = unique("wal-")
    done = HoldWatch(wallet_id, "p-1", T0, WatchState.DONE, 7, "WalletHoldCaptured")
    await watches.save(done)
    await watches.save(watch(wallet_id, version=3))  # a redelivered older event
    await watches.save(watch(wallet_id, version=7))  # the same version again
    assert await watches.get(wallet_id, "p-1") == done
    later = HoldWatch(wallet_id, "p-1", T0, WatchState.DONE, 9, "caught up")
    await watches.save(later)
    assert await watches.get(wallet_id, "p-1") == later


async def test_due_lists_the_waiting_whose_deadline_passed_earliest_first(watches: HoldWatchStore) -> None:
    # Deadlines far in the past: other tests' watches share the PostgreSQL table, all later than these.
    wallet_id = unique("wal-")
    days = 60 * 24
    await watches.save(watch(wallet_id, "late", minutes=-400 * days))
    await watches.save(watch(wallet_id, "early", minutes=-401 * days))
    await watches.save(watch(wallet_id, "at-the-bound", minutes=-399 * days))
    await watches.save(watch(wallet_id, "future", minutes=60))
    await watches.save(watch(wallet_id, "done", minutes=-402 * days, state=WatchState.DONE))
    bound = T0 + timedelta(minutes=-399 * days)
    ours = [w.payment_id for w in await watches.due(bound, limit=1000) if w.wallet_id == wallet_id]
    assert ours == ["early", "late", "at-the-bound"]  # the deadline itself is due
    [first, *_] = await watches.due(bound, limit=1)
    assert first.deadline <= T0 + timedelta(minutes=-401 * days)


async def test_finish_marks_done_with_the_outcome_and_it_is_no_longer_due(watches: HoldWatchStore) -> None:
    wallet_id = unique("wal-")
    await watches.save(watch(wallet_id, minutes=-60 * 24 * 500))
    before = await watches.waiting()
    await watches.finish(wallet_id, "p-1", "EXPIRED")
    finished = await watches.get(wallet_id, "p-1")
    assert finished == HoldWatch(wallet_id, "p-1", T0 - timedelta(days=500), WatchState.DONE, 3, "EXPIRED")
    assert wallet_id not in [w.wallet_id for w in await watches.due(T0, limit=10_000)]
    assert await watches.waiting() == before - 1
