"""One contract for the settlement process manager's watch stores: the in-memory fake and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from command_service.banking.settlement import (
    InMemoryTransferWatchStore,
    PostgresTransferWatchStore,
    TransferWatch,
    TransferWatchStore,
    WatchState,
)
from shared.banking.values import Rail
from tests.support.infra import unique

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def postgres_transfer_watches(pg_pool: asyncpg.Pool) -> PostgresTransferWatchStore:
    store = PostgresTransferWatchStore(pg_pool)
    await store.create_schema()
    await store.create_schema()  # idempotent: every saga process creates it at start
    return store


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def watches(request: pytest.FixtureRequest) -> TransferWatchStore:
    if request.param == "memory":
        return InMemoryTransferWatchStore()
    store: PostgresTransferWatchStore = request.getfixturevalue("postgres_transfer_watches")
    return store


def watch(
    account_id: str,
    transfer_id: str = "t-1",
    *,
    minutes: int = 10,
    version: int = 3,
    state: WatchState = WatchState.WAITING,
) -> TransferWatch:
    due_at = T0 + timedelta(minutes=minutes)
    return TransferWatch(
        account_id, transfer_id, Rail.NEFT, "50100012345678", "HDFC0001234", 100, due_at, "NEFT-x", state, version
    )


async def test_a_saved_watch_reads_back_as_saved_keyed_by_account_and_transfer(watches: TransferWatchStore) -> None:
    account_id = unique("acc-")
    assert await watches.get(account_id, "t-1") is None
    await watches.save(watch(account_id))
    await watches.save(watch(account_id, "t-2", version=4))
    assert await watches.get(account_id, "t-1") == watch(account_id)
    assert await watches.get(account_id, "t-2") == watch(account_id, "t-2", version=4)
    assert await watches.get(unique("acc-"), "t-1") is None


async def test_a_save_not_newer_than_the_stored_version_changes_nothing(watches: TransferWatchStore) -> None:
    account_id = unique("acc-")
    done = replace(watch(account_id, version=7), state=WatchState.DONE, outcome="AccountTransferSettled")
    await watches.save(done)
    await watches.save(watch(account_id, version=3))  # a redelivered older event
    await watches.save(watch(account_id, version=7))  # the same version again
    assert await watches.get(account_id, "t-1") == done


async def test_due_lists_the_waiting_due_by_then_in_order(watches: TransferWatchStore) -> None:
    # Due times far in the past: other tests' watches share the PostgreSQL table, all later than these.
    account_id = unique("acc-")
    days = 60 * 24
    await watches.save(watch(account_id, "b-late", minutes=-400 * days))
    await watches.save(watch(account_id, "a-late", minutes=-400 * days))  # the same batch: by transfer id
    await watches.save(watch(account_id, "early", minutes=-401 * days))
    await watches.save(watch(account_id, "at-the-bound", minutes=-399 * days))
    await watches.save(watch(account_id, "future", minutes=60))
    await watches.save(watch(account_id, "done", minutes=-402 * days, state=WatchState.DONE))
    bound = T0 + timedelta(minutes=-399 * days)
    ours = [w.transfer_id for w in await watches.due(bound, limit=1000) if w.account_id == account_id]
    assert ours == ["early", "a-late", "b-late", "at-the-bound"]


async def test_finish_marks_done_with_the_outcome_and_it_is_no_longer_due(watches: TransferWatchStore) -> None:
    account_id = unique("acc-")
    await watches.save(watch(account_id, minutes=-60 * 24 * 500))
    before = await watches.waiting()
    await watches.finish(account_id, "t-1", "RETURNED")
    finished = await watches.get(account_id, "t-1")
    assert finished == replace(watch(account_id, minutes=-60 * 24 * 500), state=WatchState.DONE, outcome="RETURNED")
    assert account_id not in [w.account_id for w in await watches.due(T0, limit=10_000)]
    assert await watches.waiting() == before - 1
