"""End to end over HTTP with every service as its own OS process (command, relay,
projector, query and the payment saga): order lifecycles, stock, the saga's
timeout and a payment captured after it (a refund due), read-your-writes, ETags,
and 200 orders racing for 50 units."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra, unique

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

PAYMENT_TIMEOUT = 3.0
ADDRESS = {"name": "Ravi", "line1": "4 Park Street", "city": "Kolkata", "state": "WB", "pincode": "700016"}


def saga(infra: Infra) -> processes.Service:
    port = processes.free_port()
    env = processes.service_env(
        infra,
        BAHI_SAGA_PORT=str(port),
        BAHI_PAYMENT_TIMEOUT_SECONDS=str(PAYMENT_TIMEOUT),
        BAHI_SAGA_TICK_SECONDS="0.2",
    )
    return processes.Service("saga", "command_service.sagas", port, env)


@pytest.fixture(scope="module")
async def e2e_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_orders") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(e2e_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(e2e_infra),
        processes.relay(e2e_infra),
        processes.projector(e2e_infra),
        processes.query(e2e_infra),
        saga(e2e_infra),
    ]
    with processes.running(services) as running:
        yield running


class Api:
    def __init__(self, bahi: dict[str, processes.Service]) -> None:
        self.cmd = bahi["command"].url
        self.query = bahi["query"].url

    def product(self, stock: int = 10, price: int = 50_000, category: str = "electronics") -> str:
        sku = unique("SKU-")
        body = {"sku": sku, "name": "Boat Airdopes 141", "category": category, "price_paise": price, "stock": stock}
        assert auth.post(f"{self.cmd}/v1/products", json=body).status_code == 201
        return sku

    def place(self, sku: str, method: str = "UPI", qty: int = 1, customer: str | None = None) -> httpx.Response:
        body = {
            "customer_id": customer or unique("cust-"),
            "items": [{"sku": sku, "quantity": qty}],
            "shipping_address": ADDRESS,
            "payment_method": method,
        }
        return auth.post(f"{self.cmd}/v1/orders", json=body, headers={"Idempotency-Key": unique("k-")})

    def step(self, order_id: str, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> httpx.Response:
        response = auth.post(f"{self.cmd}/v1/orders/{order_id}/{path}", json=body)
        assert response.status_code == expect, response.text
        return response

    def read(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        headers = {"X-Consistency-Token": token} if token else {}
        response = auth.get(f"{self.query}{path}", headers=headers, params=params, timeout=10)
        assert "X-Consistency-Timeout" not in response.headers, f"{path} did not catch up with {token}"
        return response


@pytest.fixture(scope="module")
def api(bahi: dict[str, processes.Service]) -> Api:
    return Api(bahi)


def await_until(read: Callable[[], httpx.Response], done: Callable[[httpx.Response], bool], timeout: float) -> Any:
    """For what no token can name (the saga acts on its own): retry with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        response = read()
        if done(response):
            return response.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s: {response.status_code} {response.text}")
        time.sleep(0.1)


def test_prepaid_order_full_lifecycle(api: Api) -> None:
    sku = api.product(stock=10, price=50_000)
    placed = api.place(sku, "UPI", qty=2)
    assert placed.status_code == 201, placed.text
    order_id, total = placed.json()["order_id"], 2 * 50_000 * 118 // 100
    view = api.read(f"/v1/orders/{order_id}", placed.headers["X-Consistency-Token"]).json()
    assert view["status"] == "PENDING_PAYMENT" and view["total_paise"] == total
    assert view["items"][0]["name"] == "Boat Airdopes 141" and view["items"][0]["unit_price_paise"] == 50_000

    api.step(order_id, "payment", {"status": "captured", "amount_paise": total, "provider_reference": "UPI:123"})
    api.step(order_id, "shipment", {"courier": "Delhivery", "tracking_id": "AWB-77"})
    delivered = api.step(order_id, "delivery")
    view = api.read(f"/v1/orders/{order_id}", delivered.headers["X-Consistency-Token"]).json()
    assert view["status"] == "DELIVERED" and view["version"] == 5
    assert view["payment"]["status"] == "CAPTURED" and view["payment"]["provider_reference"] == "UPI:123"
    assert view["shipment"]["courier"] == "Delhivery" and view["shipment"]["delivered_at"]
    assert [s["status"] for s in view["timeline"]][-3:] == ["CONFIRMED", "SHIPPED", "DELIVERED"]
    stock = api.read(f"/v1/products/{sku}", min_version=3).json()  # created, reserved, shipped
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (8, 0, 8)


def test_cod_order_is_confirmed_at_once_and_collected_on_delivery(api: Api) -> None:
    sku = api.product()
    placed = api.place(sku, "COD")
    order_id = placed.json()["order_id"]
    assert api.read(f"/v1/orders/{order_id}", placed.headers["X-Consistency-Token"]).json()["status"] == "CONFIRMED"
    api.step(order_id, "payment", {"status": "captured", "amount_paise": 1, "provider_reference": "x"}, expect=409)
    api.step(order_id, "shipment", {"courier": "Ekart", "tracking_id": "FMPP1"})
    token = api.step(order_id, "delivery").headers["X-Consistency-Token"]
    view = api.read(f"/v1/orders/{order_id}", token).json()
    assert view["status"] == "DELIVERED" and view["payment"]["status"] == "COLLECTED"


def test_cancellation_with_refund_releases_stock(api: Api) -> None:
    sku = api.product(stock=5, price=10_000, category="books")
    placed = api.place(sku, "CARD", qty=3)
    order_id = placed.json()["order_id"]
    api.step(order_id, "payment", {"status": "captured", "amount_paise": 30_000, "provider_reference": "pay_Nx1"})
    token = api.step(order_id, "cancellation", {"reason": "ordered by mistake"}).headers["X-Consistency-Token"]
    view = api.read(f"/v1/orders/{order_id}", token).json()
    assert view["status"] == "CANCELLED" and view["refund_due_paise"] == 30_000
    assert view["payment"]["status"] == "REFUND_DUE" and view["timeline"][-1]["reason"] == "ordered by mistake"
    stock = api.read(f"/v1/products/{sku}", min_version=3).json()
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (5, 0, 5)
    again = api.step(order_id, "cancellation", {"reason": "again"}, expect=409).json()
    assert again["current_status"] == "CANCELLED" and again["allowed_next"] == []


def test_return_after_delivery_restocks(api: Api) -> None:
    sku = api.product(stock=4)
    order_id = api.place(sku, "COD", qty=2).json()["order_id"]
    api.step(order_id, "return", {"reason": "too early"}, expect=409)
    api.step(order_id, "shipment", {"courier": "Ekart", "tracking_id": "T1"})
    api.step(order_id, "delivery")
    api.step(order_id, "return", {"reason": "does not fit"})
    token = api.step(order_id, "return/receipt").headers["X-Consistency-Token"]
    view = api.read(f"/v1/orders/{order_id}", token).json()
    assert view["status"] == "RETURNED" and view["return"]["reason"] == "does not fit"
    assert view["refund_due_paise"] == view["total_paise"]
    stock = api.read(f"/v1/products/{sku}", min_version=4).json()  # created, reserved, shipped, returned
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (4, 0, 4)


def test_out_of_stock_is_rejected_and_nothing_is_reserved(api: Api) -> None:
    sku = api.product(stock=2)
    rejected = api.place(sku, "UPI", qty=3)
    assert rejected.status_code == 409 and rejected.headers["content-type"] == "application/problem+json"
    assert (rejected.json()["sku"], rejected.json()["available"], rejected.json()["requested"]) == (sku, 2, 3)
    ok = api.place(sku, "UPI", qty=2)
    assert ok.status_code == 201
    stock = api.read(f"/v1/products/{sku}", min_version=2).json()
    assert stock["version"] == 2 and stock["reserved"] == 2  # only the accepted order reserved anything


async def _count_events(infra: Infra, stream_id: str, event_type: str) -> int:
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM bahi_events WHERE stream_id = $1 AND event_type = $2", stream_id, event_type
            )
        )
    finally:
        await conn.close()


async def test_the_saga_cancels_unpaid_and_failed_orders_once_even_across_a_restart(
    api: Api, bahi: dict[str, processes.Service], e2e_infra: Infra
) -> None:
    sku = api.product(stock=3)
    unpaid = api.place(sku, "UPI").json()["order_id"]
    failed = api.place(sku, "NETBANKING").json()["order_id"]
    paid_late = api.place(sku, "CARD").json()["order_id"]
    api.step(
        failed,
        "payment",
        {"status": "failed", "amount_paise": 59_000, "provider_reference": "nb-1", "reason": "timeout at bank"},
    )
    api.step(paid_late, "payment", {"status": "captured", "amount_paise": 59_000, "provider_reference": "w-1"})

    def cancelled(order_id: str) -> dict[str, Any]:
        return await_until(
            lambda: api.read(f"/v1/orders/{order_id}"),
            lambda r: r.status_code == 200 and r.json()["status"] == "CANCELLED",
            timeout=PAYMENT_TIMEOUT + 30,
        )

    assert "timeout at bank" in cancelled(failed)["cancellation"]["reason"]
    assert "payment not received" in cancelled(unpaid)["cancellation"]["reason"]

    bahi["saga"].kill()  # kill -9, then a fresh saga process replays the topic from its committed offsets
    bahi["saga"].start().wait_ready(60)
    sentinel = api.place(sku, "UPI").json()["order_id"]  # proves the restarted saga is working again
    cancelled(sentinel)
    for order_id in (unpaid, failed, sentinel):
        assert await _count_events(e2e_infra, order_id, "OrderCancelled") == 1
    assert await _count_events(e2e_infra, f"product-{sku}", "StockReleased") == 3
    assert api.read(f"/v1/orders/{paid_late}").json()["status"] == "CONFIRMED"
    stock = api.read(f"/v1/products/{sku}", min_version=8).json()  # created, 4 reserved, 3 released
    assert (stock["reserved"], stock["available"]) == (1, 2)


async def test_a_payment_captured_after_the_saga_timed_out_the_order_is_a_refund_due(
    api: Api, e2e_infra: Infra
) -> None:
    sku = api.product(stock=2, price=20_000)
    customer = unique("cust-")
    order_id = api.place(sku, "UPI", customer=customer).json()["order_id"]
    total = 20_000 * 118 // 100
    timed_out = await_until(
        lambda: api.read(f"/v1/orders/{order_id}"),
        lambda r: r.status_code == 200 and r.json()["status"] == "CANCELLED",
        timeout=PAYMENT_TIMEOUT + 30,
    )
    assert "payment not received" in timed_out["cancellation"]["reason"] and timed_out["refund_due_paise"] == 0

    capture = {"status": "captured", "amount_paise": total, "provider_reference": "UPI:late-77"}
    late = api.step(order_id, "payment", capture)  # the provider's callback, after the timeout
    assert late.json()["outcome"] == "REFUND_DUE"
    again = api.step(order_id, "payment", capture)  # the provider retries its callback
    assert again.json()["outcome"] == "UNCHANGED" and again.json()["version"] == late.json()["version"]
    failed = {"status": "failed", "amount_paise": total, "provider_reference": "UPI:late-78", "reason": "expired"}
    assert api.step(order_id, "payment", failed).json()["outcome"] == "UNCHANGED"

    token = late.headers["X-Consistency-Token"]
    view = api.read(f"/v1/orders/{order_id}", token).json()
    assert view["status"] == "CANCELLED" and view["refund_due_paise"] == total
    payment = view["payment"]
    assert (payment["status"], payment["amount_paise"], payment["provider_reference"]) == (
        "REFUND_DUE",
        total,
        "UPI:late-77",
    )
    assert payment["refund_references"] == ["UPI:late-77"] and payment["captured_at"]
    assert (view["timeline"][-1]["event"], view["timeline"][-1]["status"]) == ("SurplusPaymentCaptured", "CANCELLED")
    summary = api.read(f"/v1/customers/{customer}/summary", token).json()
    assert summary["lifetime_value_paise"] == 0 and summary["counts_by_status"] == {"CANCELLED": 1}
    stock = api.read(f"/v1/products/{sku}", min_version=3).json()  # created, reserved, released
    assert (stock["version"], stock["reserved"], stock["available"]) == (3, 0, 2)  # stays released
    assert await _count_events(e2e_infra, order_id, "SurplusPaymentCaptured") == 1


def test_a_second_capture_of_a_shipped_order_is_a_refund_due_of_the_duplicate(api: Api) -> None:
    sku = api.product(stock=1, price=10_000, category="books")
    order_id = api.place(sku, "CARD").json()["order_id"]
    api.step(order_id, "payment", {"status": "captured", "amount_paise": 10_000, "provider_reference": "pay_A"})
    api.step(order_id, "shipment", {"courier": "BlueDart", "tracking_id": "BD-1"})
    double = {"status": "captured", "amount_paise": 10_000, "provider_reference": "pay_B"}
    token = api.step(order_id, "payment", double).headers["X-Consistency-Token"]
    view = api.read(f"/v1/orders/{order_id}", token).json()
    assert view["status"] == "SHIPPED" and view["refund_due_paise"] == 10_000
    assert view["payment"]["status"] == "CAPTURED" and view["payment"]["provider_reference"] == "pay_A"
    assert view["payment"]["refund_references"] == ["pay_B"]


def test_read_your_writes_with_the_token_no_polling(api: Api) -> None:
    sku = api.product()
    customer = unique("cust-")
    placed = api.place(sku, "COD", customer=customer)
    token = placed.headers["X-Consistency-Token"]
    order_id = placed.json()["order_id"]
    view = api.read(f"/v1/orders/{order_id}", token)
    assert view.status_code == 200 and view.json()["version"] == placed.json()["version"] == 2
    listed = api.read(f"/v1/customers/{customer}/orders", token).json()["items"]
    assert [item["order_id"] for item in listed] == [order_id]
    summary = api.read(f"/v1/customers/{customer}/summary", token).json()
    assert summary["order_count"] == 1 and summary["counts_by_status"] == {"CONFIRMED": 1}
    found = api.read("/v1/orders", token, q=order_id[:12]).json()["items"]
    assert [item["order_id"] for item in found] == [order_id]


def test_etag_and_if_none_match(api: Api) -> None:
    sku = api.product()
    placed = api.place(sku, "COD")
    order_id = placed.json()["order_id"]
    first = api.read(f"/v1/orders/{order_id}", placed.headers["X-Consistency-Token"])
    assert first.headers["ETag"] == '"2"'
    again = auth.get(f"{api.query}/v1/orders/{order_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == '"2"' and not again.content
    token = api.step(order_id, "cancellation", {"reason": "r"}).headers["X-Consistency-Token"]
    changed = auth.get(
        f"{api.query}/v1/orders/{order_id}",
        headers={"If-None-Match": first.headers["ETag"], "X-Consistency-Token": token},
        timeout=10,
    )
    assert changed.status_code == 200 and changed.headers["ETag"] == '"3"'


async def test_200_orders_race_for_50_units(api: Api) -> None:
    sku = api.product(stock=50, price=1_000)
    body = {"items": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS, "payment_method": "COD"}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=api.cmd, timeout=60, limits=limits, headers=auth.STAFF) as client:
        answers = await asyncio.gather(
            *(client.post("/v1/orders", json={**body, "customer_id": f"racer-{i}"}) for i in range(200))
        )
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 50 and codes.count(409) == 150, sorted(set(codes))
    assert {a.json()["type"].rsplit("/", 1)[-1] for a in answers if a.status_code == 409} == {"OutOfStockError"}
    stock = api.read(f"/v1/products/{sku}", min_version=51).json()  # created + 50 reservations
    assert (stock["on_hand"], stock["reserved"], stock["available"], stock["version"]) == (50, 50, 0, 51)
