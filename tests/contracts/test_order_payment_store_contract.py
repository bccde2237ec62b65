"""One contract for the order-payment manager's stores: the in-memory fake and PostgreSQL —
event facts guarded by version, the manager's results by revision, and what is due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from command_service.wallets.order_payment import (
    InMemoryOrderPaymentStore,
    OrderPayment,
    OrderPaymentStore,
    PostgresOrderPaymentStore,
)
from command_service.wallets.order_payment.flow import Attempt, HoldState, OrderState, Report
from tests.support.infra import unique

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def postgres_order_payments(pg_pool: asyncpg.Pool) -> PostgresOrderPaymentStore:
    store = PostgresOrderPaymentStore(pg_pool)
    await store.create_schema()
    await store.create_schema()  # idempotent: every saga process creates it at start
    return store


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def payments(request: pytest.FixtureRequest) -> OrderPaymentStore:
    if request.param == "memory":
        return InMemoryOrderPaymentStore()
    store: PostgresOrderPaymentStore = request.getfixturevalue("postgres_order_payments")
    return store


def placed(order_id: str, *, days: int = 0) -> OrderPayment:
    return OrderPayment(order_id, "cust-1", 23_600, T0 + timedelta(days=days), order_version=1)


async def test_start_inserts_once_and_reads_back_as_started(payments: OrderPaymentStore) -> None:
    order_id = unique("ord-")
    assert await payments.get(order_id) is None
    assert await payments.start(placed(order_id))
    assert not await payments.start(replace(placed(order_id), amount_paise=1))  # a redelivered OrderPlaced
    assert await payments.get(order_id) == placed(order_id)


async def test_order_facts_apply_once_in_version_order_and_wake_the_order(payments: OrderPaymentStore) -> None:
    order_id = unique("ord-")
    await payments.start(placed(order_id))
    assert not await payments.order_moved(unique("ord-"), OrderState.CANCELLED, 2)  # not an order it pays
    assert await payments.order_moved(order_id, None, 2)  # a version only
    assert await payments.order_moved(order_id, None, 3, paid=True)
    assert await payments.order_moved(order_id, OrderState.CONFIRMED, 4)
    assert not await payments.order_moved(order_id, OrderState.AWAITING, 4)  # redelivered
    assert not await payments.order_moved(order_id, None, 1)
    got = await payments.get(order_id)
    assert got is not None
    assert (got.order, got.order_version, got.paid, got.settled, got.retry_at) == (
        OrderState.CONFIRMED,
        4,
        True,
        False,
        None,
    )
    assert got.revision == 3


async def test_hold_facts_apply_only_for_the_orders_wallet_in_version_order(payments: OrderPaymentStore) -> None:
    order_id, wallet_id = unique("ord-"), unique("wal-")
    await payments.start(placed(order_id))
    expires = T0 + timedelta(minutes=10)
    assert not await payments.hold_moved(order_id, wallet_id, HoldState.HELD, 3, expires)  # no wallet known yet
    start = await payments.get(order_id)
    assert start is not None and await payments.save(replace(start, wallet_id=wallet_id))
    assert not await payments.hold_moved(order_id, unique("wal-"), HoldState.HELD, 3, expires)  # another wallet
    assert await payments.hold_moved(order_id, wallet_id, HoldState.HELD, 3, expires)
    assert await payments.hold_moved(order_id, wallet_id, HoldState.CAPTURED, 5, None)
    assert not await payments.hold_moved(order_id, wallet_id, HoldState.HELD, 3, expires)  # redelivered
    got = await payments.get(order_id)
    assert got is not None
    assert (got.hold, got.hold_version, got.expires_at, got.wallet_id) == (HoldState.CAPTURED, 5, expires, wallet_id)


async def test_save_writes_the_managers_own_fields_only_on_the_revision_it_read(payments: OrderPaymentStore) -> None:
    order_id = unique("ord-")
    await payments.start(placed(order_id))
    read = await payments.get(order_id)
    assert read is not None
    await payments.order_moved(order_id, OrderState.CANCELLED, 2)  # meanwhile, from the consumer
    stale = replace(read, attempt=Attempt.PLACED, wallet_id="wal-x", order=OrderState.AWAITING)
    assert not await payments.save(stale)
    fresh = await payments.get(order_id)
    assert fresh is not None and fresh.attempt is Attempt.NONE
    result = replace(
        fresh,
        wallet_id="wal-x",
        attempt=Attempt.REFUSED,
        reason="wallet: frozen",
        report=Report.FAILED,
        outcome="done",
        settled=True,
        retry_at=T0,
        order=OrderState.AWAITING,  # not the manager's to write: ignored
        hold=HoldState.HELD,
    )
    assert await payments.save(result)
    saved = await payments.get(order_id)
    assert saved == replace(result, order=OrderState.CANCELLED, hold=HoldState.NONE, revision=fresh.revision + 1)


async def test_due_lists_unsettled_orders_whose_look_is_due_and_counts_them(payments: OrderPaymentStore) -> None:
    now_ids = [unique("ord-") for _ in range(4)]
    later, settled, retry, woken = now_ids
    before = await payments.unsettled()
    for order_id in now_ids:
        await payments.start(placed(order_id, days=-900))
    for order_id, retry_at, done in ((later, T0 + timedelta(days=1), False), (settled, None, True), (retry, T0, False)):
        stored = await payments.get(order_id)
        assert stored is not None and await payments.save(replace(stored, retry_at=retry_at, settled=done))
    assert await payments.unsettled() == before + 3
    ours = [p.order_id for p in await payments.due(T0, limit=10_000) if p.order_id in now_ids]
    assert ours == [woken, retry]  # never looked at first, then by when to look
    await payments.order_moved(later, OrderState.CANCELLED, 2)  # an event wakes it at once
    assert later in [p.order_id for p in await payments.due(T0, limit=10_000)]
