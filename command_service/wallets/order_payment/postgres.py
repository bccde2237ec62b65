"""The order-payment manager's own PostgreSQL table (never an order's or a wallet's stream): the
`OrderPaymentStore` of `store.py`, each write one statement guarded in SQL (event facts by
version, the manager's results by revision)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from command_service.wallets.order_payment.flow import Attempt, HoldState, OrderPayment, OrderState, Refund, Report

SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_wallet_order_payment (
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
    captured_paise bigint,
    debited_paise bigint,
    report        text NOT NULL,
    refund        text NOT NULL DEFAULT 'NONE',
    outcome       text,
    settled       boolean NOT NULL,
    retry_at      timestamptz,
    revision      bigint NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS saga_wallet_order_payment_due
    ON saga_wallet_order_payment (retry_at NULLS FIRST, placed_at) WHERE NOT settled;
-- A table created before refunds: their columns, and the orders it settled cancelled with the
-- hold captured (the money kept) woken, to be refunded; none is woken twice (refund <> 'NONE' after).
ALTER TABLE saga_wallet_order_payment ADD COLUMN IF NOT EXISTS captured_paise bigint;
ALTER TABLE saga_wallet_order_payment ADD COLUMN IF NOT EXISTS debited_paise bigint;
ALTER TABLE saga_wallet_order_payment ADD COLUMN IF NOT EXISTS refund text NOT NULL DEFAULT 'NONE';
UPDATE saga_wallet_order_payment SET settled = false, retry_at = NULL, revision = revision + 1, updated_at = now()
    WHERE settled AND order_state = 'CANCELLED' AND hold = 'CAPTURED' AND refund = 'NONE';
"""
SCHEMA_LOCK = 7140007
"""Serialises concurrent starters' CREATE statements (the payment saga's is 7140005)."""


def _payment(row: asyncpg.Record) -> OrderPayment:
    return OrderPayment(
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        amount_paise=row["amount_paise"],
        placed_at=row["placed_at"],
        order=OrderState(row["order_state"]),
        order_version=row["order_version"],
        paid=row["paid"],
        wallet_id=row["wallet_id"],
        attempt=Attempt(row["attempt"]),
        reason=row["reason"],
        hold=HoldState(row["hold"]),
        hold_version=row["hold_version"],
        expires_at=row["expires_at"],
        captured_paise=row["captured_paise"],
        debited_paise=row["debited_paise"],
        report=Report(row["report"]),
        refund=Refund(row["refund"]),
        outcome=row["outcome"],
        settled=row["settled"],
        retry_at=row["retry_at"],
        revision=row["revision"],
    )


class PostgresOrderPaymentStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await conn.execute(SCHEMA)

    async def get(self, order_id: str) -> OrderPayment | None:
        row = await self._pool.fetchrow("SELECT * FROM saga_wallet_order_payment WHERE order_id = $1", order_id)
        return _payment(row) if row else None

    async def start(self, payment: OrderPayment) -> bool:
        p = payment
        status = await self._pool.execute(
            """INSERT INTO saga_wallet_order_payment (order_id, customer_id, amount_paise, placed_at, order_state,
                   order_version, paid, wallet_id, attempt, reason, hold, hold_version, expires_at, report, outcome,
                   settled, retry_at, revision, captured_paise, debited_paise, refund)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
               ON CONFLICT (order_id) DO NOTHING""",
            *(p.order_id, p.customer_id, p.amount_paise, p.placed_at, p.order.value, p.order_version, p.paid),
            p.wallet_id,
            *(p.attempt.value, p.reason, p.hold.value, p.hold_version, p.expires_at, p.report.value, p.outcome),
            *(p.settled, p.retry_at, p.revision, p.captured_paise, p.debited_paise, p.refund.value),
        )
        return bool(status == "INSERT 0 1")

    async def order_moved(self, order_id: str, status: OrderState | None, version: int, *, paid: bool = False) -> bool:
        if status is None and not paid:
            sql = """UPDATE saga_wallet_order_payment SET order_version = $2, revision = revision + 1,
                         updated_at = now()
                     WHERE order_id = $1 AND order_version < $2"""
            done = await self._pool.execute(sql, order_id, version)
        else:
            sql = """UPDATE saga_wallet_order_payment SET order_state = COALESCE($3, order_state), order_version = $2,
                         paid = paid OR $4, settled = false, retry_at = NULL, revision = revision + 1,
                         updated_at = now()
                     WHERE order_id = $1 AND order_version < $2"""
            done = await self._pool.execute(sql, order_id, version, status.value if status else None, paid)
        return bool(done == "UPDATE 1")

    async def hold_moved(
        self,
        order_id: str,
        wallet_id: str,
        hold: HoldState,
        version: int,
        expires_at: datetime | None,
        captured_paise: int | None = None,
    ) -> bool:
        done = await self._pool.execute(
            """UPDATE saga_wallet_order_payment SET hold = $3, hold_version = $4,
                   expires_at = COALESCE($5, expires_at), captured_paise = COALESCE($6, captured_paise),
                   settled = false, retry_at = NULL, revision = revision + 1, updated_at = now()
               WHERE order_id = $1 AND wallet_id = $2 AND hold_version < $4""",
            *(order_id, wallet_id, hold.value, version, expires_at, captured_paise),
        )
        return bool(done == "UPDATE 1")

    async def debit_moved(self, order_id: str, wallet_id: str, amount_paise: int) -> bool:
        done = await self._pool.execute(
            """UPDATE saga_wallet_order_payment SET debited_paise = $3, settled = false, retry_at = NULL,
                   revision = revision + 1, updated_at = now()
               WHERE order_id = $1 AND wallet_id = $2 AND debited_paise IS NULL""",
            order_id,
            wallet_id,
            amount_paise,
        )
        return bool(done == "UPDATE 1")

    async def save(self, payment: OrderPayment) -> bool:
        p = payment
        done = await self._pool.execute(
            """UPDATE saga_wallet_order_payment SET wallet_id = $3, attempt = $4, reason = $5, report = $6,
                   outcome = $7, settled = $8, retry_at = $9, refund = $10, revision = revision + 1,
                   updated_at = now()
               WHERE order_id = $1 AND revision = $2""",
            *(p.order_id, p.revision, p.wallet_id, p.attempt.value, p.reason, p.report.value, p.outcome),
            *(p.settled, p.retry_at, p.refund.value),
        )
        return bool(done == "UPDATE 1")

    async def due(self, now: datetime, limit: int) -> list[OrderPayment]:
        rows = await self._pool.fetch(
            """SELECT * FROM saga_wallet_order_payment WHERE NOT settled AND (retry_at IS NULL OR retry_at <= $1)
               ORDER BY retry_at NULLS FIRST, placed_at LIMIT $2""",
            now,
            limit,
        )
        return [_payment(row) for row in rows]

    async def unsettled(self) -> int:
        return int(await self._pool.fetchval("SELECT count(*) FROM saga_wallet_order_payment WHERE NOT settled"))
