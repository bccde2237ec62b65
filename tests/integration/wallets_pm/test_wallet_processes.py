"""The wallets context's process managers as real OS processes (command service, relay, and the
process managers' runner, `python -m command_service.sagas`), driven over HTTP: holds are released
exactly once though the runner is killed (SIGKILL) before and at their deadline and restarted;
an order paid from the wallet end to end; one refused for insufficient funds and cancelled.

Assumes "wallets" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import processes
from tests.support.infra import Infra, fresh_infra, unique

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

HOLD_TIMEOUT = 6.0
ADDRESS = {"name": "Ravi", "line1": "4 Park Street", "city": "Kolkata", "state": "WB", "pincode": "700016"}


def runner(infra: Infra) -> processes.Service:
    port = processes.free_port()
    env = processes.service_env(
        infra,
        BAHI_SAGA_PORT=str(port),
        BAHI_HOLD_TIMEOUT_SECONDS=str(HOLD_TIMEOUT),  # the holds the order-payment manager places
        BAHI_SAGA_TICK_SECONDS="0.2",
    )
    return processes.Service("saga", "command_service.sagas", port, env)


@pytest.fixture(scope="module")
async def wallet_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_wallet_pm") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(wallet_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    command = processes.command(wallet_infra)
    command.env["BAHI_HOLD_TIMEOUT_SECONDS"] = str(HOLD_TIMEOUT)  # the holds placed over HTTP
    services = [command, processes.relay(wallet_infra), runner(wallet_infra)]
    with processes.running(services) as running:
        yield running


class Api:
    def __init__(self, bahi: dict[str, processes.Service]) -> None:
        self.cmd = bahi["command"].url

    def post(self, path: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        response = httpx.post(f"{self.cmd}{path}", json=body, timeout=10)
        assert response.status_code == expect, response.text
        return dict(response.json())

    def wallet(self, customer: str, paise: int) -> str:
        body = {"customer_id": customer, "mobile": "9876543210", "kyc": "MINIMUM"}
        wallet_id = str(self.post("/v1/wallets", body, expect=201)["wallet_id"])
        self.top_up(wallet_id, paise)
        return wallet_id

    def top_up(self, wallet_id: str, paise: int) -> dict[str, Any]:
        body = {"topup_id": unique("t-"), "amount_paise": paise, "source": "UPI", "reference": "upi-ref"}
        return self.post(f"/v1/wallets/{wallet_id}/topups", body)

    def hold(self, wallet_id: str, payment_id: str, paise: int) -> None:
        body = {"payment_id": payment_id, "merchant_id": "merch-1", "amount_paise": paise, "hold": True}
        assert self.post(f"/v1/wallets/{wallet_id}/payments", body)["payment_status"] == "HELD"

    def order(self, customer: str, price: int = 50_000) -> str:
        sku = unique("SKU-")
        product = {"sku": sku, "name": "Boat Airdopes 141", "category": "electronics", "price_paise": price, "stock": 5}
        self.post("/v1/products", product, expect=201)
        body = {
            "customer_id": customer,
            "items": [{"sku": sku, "quantity": 1}],
            "shipping_address": ADDRESS,
            "payment_method": "WALLET",
        }
        return str(self.post("/v1/orders", body, expect=201)["order_id"])

    def events(self, stream_id: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.cmd}/v1/streams/{stream_id}", params={"limit": 100}, timeout=10)
        return [] if response.status_code == 404 else list(response.json()["events"])

    def types(self, stream_id: str) -> list[str]:
        return [e["event_type"] for e in self.events(stream_id)]


@pytest.fixture(scope="module")
def api(bahi: dict[str, processes.Service]) -> Api:
    return Api(bahi)


def wait_for(what: str, done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(0.2)


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
    api: Api, bahi: dict[str, processes.Service], wallet_infra: Infra
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


async def test_an_order_paid_from_the_wallet_is_confirmed_and_captured_once(api: Api, wallet_infra: Infra) -> None:
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


async def test_an_order_the_wallet_cannot_pay_fails_and_is_cancelled(api: Api) -> None:
    customer = unique("cust-")
    wallet_id = api.wallet(customer, 1_000)  # ₹10 for a ₹590 order
    order_id = api.order(customer, price=50_000)
    wait_for("the cancellation", lambda: "OrderCancelled" in api.types(order_id))
    events = api.events(order_id)
    assert [e["event_type"] for e in events] == ["OrderPlaced", "PaymentFailed", "OrderCancelled"]
    assert "no_overdraft" in events[1]["data"]["reason"] and "payment failed" in events[2]["data"]["reason"]
    assert api.types(wallet_id) == ["WalletOpened", "WalletToppedUp"]  # nothing held, nothing taken
