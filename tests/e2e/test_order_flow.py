"""End to end: the three services and the relay as separate OS processes, driven over HTTP only."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra, unique

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
async def e2e_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_e2e") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(e2e_infra: Infra) -> Iterator[dict[str, str]]:
    infra = e2e_infra
    services = [processes.command(infra), processes.relay(infra), processes.projector(infra), processes.query(infra)]
    for service in services:
        service.start()
    try:
        for service in services:
            service.wait_ready()
        yield {s.name: s.url for s in services}
    finally:
        for service in services:
            service.stop()


def poll(url: str, until: object, timeout: float = 30.0) -> httpx.Response:
    """GET until the predicate holds (no fixed sleeps: retry with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        response = auth.get(url, timeout=5.0)
        if until(response):  # type: ignore[operator]
            return response
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: last answer {response.status_code} {response.text}")
        time.sleep(0.05)


def test_product_and_order_flow_from_command_to_query(bahi: dict[str, str]) -> None:
    sku = unique("SKU-")
    created = auth.post(
        f"{bahi['command']}/v1/products",
        json={"sku": sku, "name": "Boat Airdopes 141", "category": "electronics", "price_paise": 129900, "stock": 25},
    )
    assert created.status_code == 201, created.text

    placed = auth.post(
        f"{bahi['command']}/v1/orders",
        json={
            "customer_id": "cust-e2e",
            "items": [{"sku": sku, "quantity": 3}],
            "shipping_address": {
                "name": "Ravi",
                "line1": "4 Park Street",
                "city": "Kolkata",
                "state": "WB",
                "pincode": "700016",
            },
            "payment_method": "COD",
        },
        headers={"Idempotency-Key": unique("k-")},
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]

    order = poll(f"{bahi['query']}/v1/orders/{order_id}", lambda r: r.status_code == 200 and r.json()["version"] >= 2)
    body = order.json()
    assert body["status"] == "CONFIRMED"
    assert body["items"][0]["quantity"] == 3 and body["items"][0]["unit_price_paise"] == 129900
    assert body["subtotal_paise"] == 3 * 129900
    assert body["total_paise"] == body["subtotal_paise"] + body["gst_paise"]
    assert order.headers["ETag"] == '"2"'

    product = poll(f"{bahi['query']}/v1/products/{sku}", lambda r: r.status_code == 200 and r.json()["version"] >= 2)
    assert (product.json()["on_hand"], product.json()["reserved"], product.json()["available"]) == (25, 3, 22)


def test_read_your_writes_with_the_consistency_token(bahi: dict[str, str]) -> None:
    sku = unique("SKU-")
    created = auth.post(
        f"{bahi['command']}/v1/products",
        json={"sku": sku, "name": "Tata Tea Gold 1kg", "category": "grocery", "price_paise": 56000, "stock": 5},
    )
    token = created.headers["X-Consistency-Token"]
    product = auth.get(f"{bahi['query']}/v1/products/{sku}", headers={"X-Consistency-Token": token}, timeout=10)
    assert product.status_code == 200 and "X-Consistency-Timeout" not in product.headers
    assert product.json()["version"] == 1
    not_modified = auth.get(f"{bahi['query']}/v1/products/{sku}", headers={"If-None-Match": product.headers["ETag"]})
    assert not_modified.status_code == 304


def test_errors_are_problem_json(bahi: dict[str, str]) -> None:
    missing = auth.get(f"{bahi['query']}/v1/orders/ord-does-not-exist")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    bad = auth.post(
        f"{bahi['command']}/v1/products",
        json={"sku": "X", "name": "n", "category": "c", "price_paise": 1.5, "stock": 1},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "price_paise"
    for url in bahi.values():
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.get(f"{url}/readyz").status_code == 200
        assert httpx.get(f"{url}/metrics").status_code == 200
