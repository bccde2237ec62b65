"""The order-payment stores' part in refunds, for the in-memory fake and PostgreSQL alike: what a
capture took and a late debit (facts from events, each waking the order, a settled one too), the
refund (the manager's own field, saved by revision); and a table created before refunds, which
PostgreSQL's `create_schema` brings up to date, waking the orders it settled cancelled with the
money kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
from command_service.wallets.order_payment.flow import HoldState, OrderState, Refund
from tests.support.infra import Infra, unique

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)

OLD_SCHEMA = """
CREATE TABLE saga_wallet_order_payment (
    order_id      text PRIMARY KEY,
    customer_id   text NOT NULL,
    amount_paise  bigint NOT NULL,
    placed_at     timestamptz NOT NULL,
    order_state   text NOT NULL,
    order_version bigint NOT NULL,
    paid          boolean NOT NULL,
    wallet_id     text,
    attempt       text NOT NULL,
    reason        text,
    hold          text NOT NULL,
    hold_version  bigint NOT NULL,
    expires_at    timestamptz,
    report        text NOT NULL,
    outcome       text,
    settled       boolean NOT NULL,
    retry_at      timestamptz,
    revision      bigint NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
"""
"""The table as the manager created it before refunds."""


@pytest.fixture(scope="session")
async def postgres_order_payments(pg_pool: asyncpg.Pool) -> PostgresOrderPaymentStore:
    store = PostgresOrderPaymentStore(pg_pool)
    await store.create_schema()
    await store.create_schema()
    return store


@pytest.fixture(params=["memory", "postgres"])
def payments(request: pytest.FixtureRequest) -> OrderPaymentStore:
    if request.param == "memory":
        return InMemoryOrderPaymentStore()
    store: PostgresOrderPaymentStore = request.getfixturevalue("postgres_order_payments")
    return store


async def with_wallet(payments: OrderPaymentStore, wallet_id: str) -> str:
    order_id = unique("ord-")
    assert await payments.start(OrderPayment(order_id, "cust-1", 23_600, T0, order_version=1))
    started = await payments.get(order_id)
    assert started is not None and await payments.save(replace(started, wallet_id=wallet_id))
    return order_id


async def settle(payments: OrderPaymentStore, order_id: str) -> OrderPayment:
    got = await payments.get(order_id)
    assert got is not None and await payments.save(replace(got, settled=True, retry_at=T0 + timedelta(days=1)))
    settled = await payments.get(order_id)
    assert settled is not None and settled.settled
    return settled


async def test_a_capture_keeps_what_it_took(payments: OrderPaymentStore) -> None:
    wallet_id = unique("wal-")
    order_id = await with_wallet(payments, wallet_id)
    assert await payments.hold_moved(order_id, wallet_id, HoldState.HELD, 3, T0 + timedelta(minutes=10))
    assert await payments.hold_moved(order_id, wallet_id, HoldState.CAPTURED, 4, None, 20_000)
    got = await payments.get(order_id)
    assert got is not None and (got.hold, got.captured_paise, got.expires_at) == (
        HoldState.CAPTURED,
        20_000,
        T0 + timedelta(minutes=10),
    )
    assert not await payments.hold_moved(order_id, wallet_id, HoldState.CAPTURED, 4, None, 1)  # redelivered
    again = await payments.get(order_id)
    assert again is not None and again.captured_paise == 20_000


async def test_a_late_debit_applies_once_for_the_orders_wallet_and_wakes_a_settled_order(
    payments: OrderPaymentStore,
) -> None:
    wallet_id = unique("wal-")
    order_id = await with_wallet(payments, wallet_id)
    settled = await settle(payments, order_id)
    assert not await payments.debit_moved(unique("ord-"), wallet_id, 23_600)  # not an order it pays
    assert not await payments.debit_moved(order_id, unique("wal-"), 23_600)  # another wallet
    assert await payments.debit_moved(order_id, wallet_id, 23_600)
    assert not await payments.debit_moved(order_id, wallet_id, 23_600)  # redelivered
    got = await payments.get(order_id)
    assert got is not None
    assert (got.debited_paise, got.settled, got.retry_at) == (23_600, False, None)
    assert got.revision == settled.revision + 1


async def test_save_writes_the_refund_on_the_revision_it_read(payments: OrderPaymentStore) -> None:
    wallet_id = unique("wal-")
    order_id = await with_wallet(payments, wallet_id)
    read = await payments.get(order_id)
    assert read is not None and read.refund is Refund.NONE
    await payments.order_moved(order_id, OrderState.CANCELLED, 2)  # meanwhile
    assert not await payments.save(replace(read, refund=Refund.REFUNDED))
    fresh = await payments.get(order_id)
    assert fresh is not None and fresh.refund is Refund.NONE
    done = replace(fresh, refund=Refund.REFUNDED, settled=True, outcome="REFUNDED 23600 paise", debited_paise=1)
    assert await payments.save(done)  # the refund is the manager's; `debited_paise` a fact: not written
    saved = await payments.get(order_id)
    assert saved == replace(done, debited_paise=None, revision=fresh.revision + 1)


@pytest.fixture
async def old_table(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a schema of its own holding the table as it was before refunds."""
    schema = unique("old_")
    admin = await asyncpg.connect(infra.pg_dsn)
    await admin.execute(f"CREATE SCHEMA {schema}")
    pool = await asyncpg.create_pool(infra.pg_dsn, min_size=1, max_size=2, server_settings={"search_path": schema})
    assert pool is not None
    try:
        await pool.execute(OLD_SCHEMA)
        yield pool
    finally:
        await pool.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def test_a_table_from_before_refunds_is_brought_up_to_date_and_its_kept_money_woken(
    old_table: asyncpg.Pool,
) -> None:
    rows = {
        "kept": ("CANCELLED", "CAPTURED", True),  # settled before refunds existed: the money was kept
        "voided": ("CANCELLED", "VOIDED", True),
        "paid": ("CONFIRMED", "CAPTURED", True),
        "busy": ("CANCELLED", "HELD", False),
    }
    for order_id, (order, hold, settled) in rows.items():
        await old_table.execute(
            """INSERT INTO saga_wallet_order_payment (order_id, customer_id, amount_paise, placed_at, order_state,
                   order_version, paid, wallet_id, attempt, hold, hold_version, report, settled, retry_at, revision)
               VALUES ($1, 'cust-1', 23600, $2, $3, 4, true, 'wal-1', 'PLACED', $4, 5, 'CAPTURED', $5, $6, 7)""",
            *(order_id, T0, order, hold, settled, T0 + timedelta(days=1)),
        )
    store = PostgresOrderPaymentStore(old_table)
    await store.create_schema()
    kept = await store.get("kept")
    assert kept is not None
    assert (kept.settled, kept.retry_at, kept.refund, kept.captured_paise, kept.revision) == (
        False,
        None,
        Refund.NONE,
        None,
        8,
    )
    for order_id in ("voided", "paid", "busy"):  # nothing kept, or not settled: left as they were
        untouched = await store.get(order_id)
        assert untouched is not None and untouched.revision == 7 and untouched.retry_at == T0 + timedelta(days=1)
    assert [p.order_id for p in await store.due(T0, 10)] == ["kept"]

    assert await store.save(replace(kept, refund=Refund.REFUNDED, settled=True))
    await store.create_schema()  # every start: a refunded order is not woken again
    refunded = await store.get("kept")
    assert refunded is not None and refunded.settled and refunded.refund is Refund.REFUNDED
