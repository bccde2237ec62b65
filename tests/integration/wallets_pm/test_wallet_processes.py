"""The wallets context's process managers as real OS processes (command service, relay, and the
process managers' runner, `python -m command_service.sagas`), driven over HTTP: holds are released
exactly once though the runner is killed (SIGKILL) before and at their deadline and restarted;
an order paid from the wallet end to end; one refused for insufficient funds and cancelled.

Assumes "wallets" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from tests.support import processes
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.wallet_http import WalletHttp, runner, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

HOLD_TIMEOUT = 6.0


@pytest.fixture(scope="module")
async def wallet_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_wallet_pm") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(wallet_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    command = processes.command(wallet_infra)
    command.env["BAHI_HOLD_TIMEOUT_SECONDS"] = str(HOLD_TIMEOUT)  # the holds placed over HTTP
    services = [
        command,
        processes.relay(wallet_infra),
        runner(wallet_infra, BAHI_HOLD_TIMEOUT_SECONDS=str(HOLD_TIMEOUT)),
    ]
    with processes.running(services) as running:
        yield running


@pytest.fixture(scope="module")
def api(bahi: dict[str, processes.Service]) -> WalletHttp:
    return WalletHttp(bahi)


async def counts(infra: Infra, stream_id: str, event_type: str) -> dict[str, int]:
    """Per payment id, how many `event_type` events the stream holds."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        rows = await conn.fetch(
            """SELECT data->>'payment_id' AS payment_id, count(*) AS n FROM bahi_events
               WHERE stream_id = $1 AND event_type = $2 GROUP BY 1""",
            stream_id,
            event_type,
        )
    finally:
        await conn.close()
    return {row["payment_id"]: int(row["n"]) for row in rows}


async def test_holds_are_released_once_though_the_runner_is_killed_before_and_at_their_deadline(
    api: WalletHttp, bahi: dict[str, processes.Service], wallet_infra: Infra
) -> None:
    saga = bahi["saga"]
    wallet_id = api.wallet(unique("cust-"), 500_000)
    first = [unique("p-") for _ in range(5)]
    for payment_id in first:
        api.hold(wallet_id, payment_id, 10_000)
    time.sleep(0.3)
    saga.kill()  # SIGKILL: the holds may or may not have reached its table, its offsets may be uncommitted
    time.sleep(HOLD_TIMEOUT + 1)  # the first holds are overdue while nothing runs
    second = [unique("p-") for _ in range(30)]
    placed_second = time.monotonic()
    for payment_id in second:
        api.hold(wallet_id, payment_id, 10_000)
    saga.start().wait_ready(60)
    wait_for("the overdue holds to expire", lambda: api.types(wallet_id).count("WalletHoldExpired") >= 5)
    time.sleep(max(0.0, placed_second + HOLD_TIMEOUT + 0.15 - time.monotonic()))
    saga.kill()  # at the second holds' deadline: some expiries recorded, some under way, some not begun
    saga.start().wait_ready(60)
    wait_for("every hold to expire", lambda: api.types(wallet_id).count("WalletHoldExpired") >= 35)
    time.sleep(2 * HOLD_TIMEOUT / 4 + 1)  # a few more ticks: nothing more may happen

    assert await counts(wallet_infra, wallet_id, "WalletHoldExpired") == {p: 1 for p in first + second}
    answer = api.top_up(wallet_id, 1)
    assert (answer["balance_paise"], answer["held_paise"], answer["available_paise"]) == (500_001, 0, 500_001)
    expired = [e for e in api.events(wallet_id) if e["event_type"] == "WalletHoldExpired"]
    assert {e["metadata"]["actor"] for e in expired} == {"saga:wallet_hold_expiry"}


async def test_an_order_paid_from_the_wallet_is_confirmed_and_captured_once(
    api: WalletHttp, wallet_infra: Infra
) -> None:
    customer = unique("cust-")
    wallet_id = api.wallet(customer, 500_000)
    order_id = api.order(customer, price=50_000)
    total = api.events(order_id)[0]["data"]["total_paise"]
    wait_for("the capture", lambda: "WalletHoldCaptured" in api.types(wallet_id))
    assert api.types(order_id) == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert api.types(wallet_id) == ["WalletOpened", "WalletToppedUp", "WalletHoldPlaced", "WalletHoldCaptured"]
    assert await counts(wallet_infra, wallet_id, "WalletHoldCaptured") == {order_id: 1}
    captured = api.events(wallet_id)[-1]
    assert (captured["data"]["captured_paise"], captured["data"]["merchant_id"]) == (total, "bahi-commerce")
    assert captured["metadata"]["actor"] == "saga:wallet_order_payment"
    answer = api.top_up(wallet_id, 1)
    assert (answer["balance_paise"], answer["held_paise"]) == (500_001 - total, 0)


async def test_an_order_the_wallet_cannot_pay_fails_and_is_cancelled(api: WalletHttp) -> None:
    customer = unique("cust-")
    wallet_id = api.wallet(customer, 1_000)  # ₹10 for a ₹590 order
    order_id = api.order(customer, price=50_000)
    wait_for("the cancellation", lambda: "OrderCancelled" in api.types(order_id))
    events = api.events(order_id)
    assert [e["event_type"] for e in events] == ["OrderPlaced", "PaymentFailed", "OrderCancelled"]
    assert "no_overdraft" in events[1]["data"]["reason"] and "payment failed" in events[2]["data"]["reason"]
    assert api.types(wallet_id) == ["WalletOpened", "WalletToppedUp"]  # nothing held, nothing taken
