"""An order paid from the wallet, confirmed, its hold captured, then cancelled: the customer's
money comes back to the wallet, refunded once — over HTTP against the command service, the relay
and the process managers' runner (`python -m command_service.sagas`) as their own OS processes,
on the real PostgreSQL and Kafka.

Once is checked twice over: after every event is delivered to the manager again (the runner
stopped, its consumer group's offsets set back to the start of its topics, the runner started
and awaited until it has committed them all again: the cancellation among them), and after the
crash the refund's exactly-once rests on (the refund appended, its result never saved: the
manager's row set back to "no refund yet", the runner's timer takes the order up again).

Assumes "wallets" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.support import processes
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.wallet_http import WalletHttp, runner, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

MANAGER = "wallet_order_payment"
FUNDING = 500_000


@pytest.fixture(scope="module")
async def refund_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_wallet_refund") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(refund_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [processes.command(refund_infra), processes.relay(refund_infra), runner(refund_infra)]
    with processes.running(services) as running:
        yield running


async def await_until(what: str, done: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        await asyncio.sleep(0.2)


class Pg:
    def __init__(self, infra: Infra) -> None:
        self.dsn = infra.pg_dsn

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def refunds(self, wallet_id: str) -> list[dict[str, Any]]:
        """Every `WalletRefunded` the wallet's stream holds, as stored."""
        rows = await self.fetch(
            """SELECT data->>'refund_id' AS refund_id, data->>'payment_id' AS payment_id,
                      (data->>'amount_paise')::bigint AS amount_paise
               FROM bahi_events WHERE stream_id = $1 AND event_type = 'WalletRefunded'""",
            wallet_id,
        )
        return [dict(row) for row in rows]

    async def payment(self, order_id: str) -> dict[str, Any]:
        [row] = await self.fetch("SELECT * FROM saga_wallet_order_payment WHERE order_id = $1", order_id)
        return dict(row)


class Group:
    """The manager's consumer group on the order and wallet topics."""

    def __init__(self, infra: Infra) -> None:
        self.bootstrap = infra.kafka
        self.group_id = f"{infra.topic_prefix}.saga.{MANAGER}"
        self.topics = [f"{infra.topic_prefix}.{stream_type}.events" for stream_type in ("order", "wallet")]

    async def partitions(self) -> list[TopicPartition]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            topics = await admin.describe_topics(self.topics)
        finally:
            await admin.close()
        return [TopicPartition(t["topic"], p["partition"]) for t in topics for p in t["partitions"]]

    async def caught_up(self) -> bool:
        """True once the group has committed every partition's end: all it was given, handled."""
        partitions = await self.partitions()
        reader = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await reader.start()
        await admin.start()
        try:
            ends = await reader.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(self.group_id, partitions=partitions)
        finally:
            await reader.stop()
            await admin.close()
        done = {tp: meta.offset for tp, meta in committed.items()}
        return bool(partitions) and all(end == 0 or done.get(tp, -1) >= end for tp, end in ends.items())

    async def empty(self) -> bool:
        """True once no member is left in the group (a stopped runner's consumer has left it)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            [described] = await admin.describe_consumer_groups([self.group_id])
        finally:
            await admin.close()
        [(_, _, state, *_)] = described.groups
        return bool(state == "Empty")

    async def rewind(self) -> None:
        """The group's offsets set back to the start of its topics (only once it is `empty`)."""
        partitions = await self.partitions()
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=self.group_id, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            starts = await consumer.beginning_offsets(partitions)
            await consumer.commit(dict(starts))
        finally:
            await consumer.stop()


@pytest.fixture(scope="module")
def api(bahi: dict[str, processes.Service]) -> WalletHttp:
    return WalletHttp(bahi)


async def test_an_order_cancelled_after_its_capture_is_refunded_once(
    api: WalletHttp, bahi: dict[str, processes.Service], refund_infra: Infra
) -> None:
    pg, group, saga = Pg(refund_infra), Group(refund_infra), bahi["saga"]
    customer = unique("cust-")
    wallet_id = api.wallet(customer, FUNDING)
    order_id = api.order(customer)
    total = int(api.events(order_id)[0]["data"]["total_paise"])
    wait_for("the capture", lambda: "WalletHoldCaptured" in api.types(wallet_id))
    assert api.types(order_id) == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert api.events(wallet_id)[-1]["data"]["balance_after_paise"] == FUNDING - total

    api.post(f"/v1/orders/{order_id}/cancellation", {"reason": "ordered the wrong colour"})
    wait_for("the refund", lambda: "WalletRefunded" in api.types(wallet_id))
    assert api.types(order_id)[-1] == "OrderCancelled"
    assert api.events(order_id)[-1]["data"]["refund_due_paise"] == total
    refunded = api.events(wallet_id)[-1]
    assert refunded["event_type"] == "WalletRefunded"
    assert (refunded["data"]["refund_id"], refunded["data"]["payment_id"]) == (f"{order_id}.refund", order_id)
    assert (refunded["data"]["amount_paise"], refunded["data"]["merchant_id"]) == (total, "bahi-commerce")
    assert refunded["data"]["balance_after_paise"] == FUNDING  # back to what it was before the order
    assert refunded["metadata"]["actor"] == "saga:wallet_order_payment"
    once = [{"refund_id": f"{order_id}.refund", "payment_id": order_id, "amount_paise": total}]
    assert await pg.refunds(wallet_id) == once
    await await_until("the refund's own event to be handled", group.caught_up)
    row = await pg.payment(order_id)
    assert (row["refund"], row["settled"], row["captured_paise"]) == ("REFUNDED", True, total)

    # Every event delivered again, the cancellation among them.
    saga.stop()
    await await_until("the stopped runner to leave its consumer group", group.empty)
    await group.rewind()
    assert not await group.caught_up()
    saga.start().wait_ready(60)
    await await_until("every event to be handled again", group.caught_up)
    assert await pg.refunds(wallet_id) == once

    # The crash the refund's exactly-once rests on: appended, its result never saved.
    await pg.fetch(
        """UPDATE saga_wallet_order_payment SET refund = 'NONE', settled = false, outcome = NULL,
               retry_at = NULL, revision = revision + 1 WHERE order_id = $1""",
        order_id,
    )

    async def refunded_again() -> bool:
        row = await pg.payment(order_id)
        return bool(row["refund"] == "REFUNDED" and row["settled"])

    await await_until("the timer to take the refund up again", refunded_again)
    assert await pg.refunds(wallet_id) == once
    assert api.types(wallet_id).count("WalletRefunded") == 1
    answer = api.top_up(wallet_id, 1)
    assert (answer["balance_paise"], answer["held_paise"]) == (FUNDING + 1, 0)
    status = httpx.get(f"{saga.url}/status", timeout=10).json()
    assert status[MANAGER]["unsettled"] == 0
