"""The order and product command routes over HTTP (in-memory store): status codes, problem+json
naming the field or the current status and the allowed next steps, versions and consistency
tokens, Idempotency-Key and If-Match, the stream audit trail, health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from command_service.api import build_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from tests.support import auth

PRODUCT = {"sku": "P-1", "name": "Phone", "category": "books", "price_paise": 1000, "stock": 5}
ADDRESS = {"name": "Asha", "line1": "12 MG Road", "city": "Pune", "state": "MH", "pincode": "411001"}
ORDER = {"customer_id": "c-1", "items": [{"sku": "P-1", "quantity": 2}], "shipping_address": ADDRESS}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    services = services_for(InMemoryEventStore(), settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=auth.authenticator())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", headers=auth.STAFF) as c:
        assert (await c.post("/v1/products", json=PRODUCT)).status_code == 201
        yield c


async def place(client: httpx.AsyncClient, method: str = "UPI") -> str:
    response = await client.post("/v1/orders", json={**ORDER, "payment_method": method})
    assert response.status_code == 201, response.text
    return str(response.json()["order_id"])


async def test_every_step_answers_with_version_and_token(client: httpx.AsyncClient) -> None:
    order_id = await place(client)
    steps = [
        ("payment", {"status": "captured", "amount_paise": 2000, "provider_reference": "upi:4242"}, 3),
        ("shipment", {"courier": "Delhivery", "tracking_id": "AWB-1"}, 4),
        ("delivery", None, 5),
        ("return", {"reason": "too small"}, 6),
        ("return/receipt", None, 7),
    ]
    for path, body, version in steps:
        response = await client.post(f"/v1/orders/{order_id}/{path}", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["version"] == version
        assert response.headers["X-Consistency-Token"].startswith(f"{order_id}:{version}:")


async def test_illegal_transition_is_409_naming_status_and_next_steps(client: httpx.AsyncClient) -> None:
    order_id = await place(client)
    response = await client.post(f"/v1/orders/{order_id}/delivery")
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["current_status"] == "PENDING_PAYMENT"
    assert problem["allowed_next"] == ["CANCELLED", "CONFIRMED", "PAYMENT_FAILED"]


async def test_cancel_then_cancel_again(client: httpx.AsyncClient) -> None:
    order_id = await place(client)
    assert (await client.post(f"/v1/orders/{order_id}/cancellation", json={"reason": "oops"})).status_code == 200
    again = await client.post(f"/v1/orders/{order_id}/cancellation", json={"reason": "oops"})
    assert again.status_code == 409 and again.json()["allowed_next"] == []


async def test_wrong_amount_is_409_with_the_expected_amount(client: httpx.AsyncClient) -> None:
    order_id = await place(client)
    response = await client.post(
        f"/v1/orders/{order_id}/payment", json={"status": "captured", "amount_paise": 1, "provider_reference": "r"}
    )
    assert response.status_code == 409 and response.json()["expected_paise"] == 2000
    assert response.json()["field"] == "amount_paise"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/orders/ord-x/payment", {"status": "maybe", "amount_paise": 1, "provider_reference": "r"}, "status"),
        (
            "/v1/orders/ord-x/payment",
            {"status": "captured", "amount_paise": -5, "provider_reference": "r"},
            "amount_paise",
        ),
        (
            "/v1/orders/ord-x/payment",
            {"status": "captured", "amount_paise": 5, "provider_reference": ""},
            "provider_reference",
        ),
        ("/v1/orders/ord-x/shipment", {"courier": "x"}, "tracking_id"),
        ("/v1/orders/ord-x/cancellation", {}, "reason"),
        ("/v1/orders/ord-x/cancellation", {"reason": "r", "extra": 1}, "extra"),
        ("/v1/products/P-1/restock", {"quantity": 0}, "quantity"),
        ("/v1/products/P-1/price", {"price_paise": 1.5}, "price_paise"),
        ("/v1/products/bad sku!/restock", {"quantity": 1}, "sku"),
    ],
)
async def test_malformed_commands_are_422_naming_the_field(
    client: httpx.AsyncClient, path: str, body: dict, field: str
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_unknown_order_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/orders/ord-nope/delivery")
    assert response.status_code == 404 and response.json()["order_id"] == "ord-nope"


async def test_restock_and_price_take_if_match_and_idempotency_key(client: httpx.AsyncClient) -> None:
    stale = await client.post("/v1/products/P-1/restock", json={"quantity": 3}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    headers = {"If-Match": '"1"', "Idempotency-Key": "restock-1"}
    first = await client.post("/v1/products/P-1/restock", json={"quantity": 3}, headers=headers)
    again = await client.post(
        "/v1/products/P-1/restock", json={"quantity": 3}, headers={"Idempotency-Key": "restock-1"}
    )
    assert first.status_code == 200 and again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(
        "/v1/products/P-1/price", json={"price_paise": 99}, headers={"Idempotency-Key": "restock-1"}
    )
    assert other.status_code == 422
    same_price = await client.post("/v1/products/P-1/price", json={"price_paise": 1000})
    assert same_price.status_code == 409


async def test_the_same_key_on_another_order_is_refused(client: httpx.AsyncClient) -> None:
    a, b = await place(client), await place(client, "COD")
    body = {"reason": "r"}
    assert (
        await client.post(f"/v1/orders/{a}/cancellation", json=body, headers={"Idempotency-Key": "k"})
    ).status_code == 200
    reused = await client.post(f"/v1/orders/{b}/cancellation", json=body, headers={"Idempotency-Key": "k"})
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"


async def test_a_capture_after_cancellation_is_accepted_as_a_refund_due(client: httpx.AsyncClient) -> None:
    order_id = await place(client)
    await client.post(f"/v1/orders/{order_id}/cancellation", json={"reason": "payment timed out"})
    body = {"status": "captured", "amount_paise": 2000, "provider_reference": "UPI:4242"}
    late = await client.post(f"/v1/orders/{order_id}/payment", json=body)
    assert late.status_code == 200, late.text
    assert late.json()["outcome"] == "REFUND_DUE" and late.json()["version"] == 3
    again = await client.post(f"/v1/orders/{order_id}/payment", json=body, headers={"Idempotency-Key": "retry-7"})
    assert again.status_code == 200 and again.json()["outcome"] == "UNCHANGED" and again.json()["version"] == 3
    assert again.headers["X-Consistency-Token"] == late.headers["X-Consistency-Token"]
    other_amount = await client.post(f"/v1/orders/{order_id}/payment", json={**body, "amount_paise": 2001})
    assert other_amount.status_code == 409 and other_amount.json()["recorded_paise"] == 2000
    assert other_amount.json()["field"] == "amount_paise"
    failed = {"status": "failed", "amount_paise": 2000, "provider_reference": "UPI:4243", "reason": "timeout"}
    late_failure = await client.post(f"/v1/orders/{order_id}/payment", json=failed)
    assert late_failure.status_code == 200 and late_failure.json()["outcome"] == "UNCHANGED"


async def test_the_payment_route_documents_its_outcomes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/v1/orders/{order_id}/payment"]["post"]
    assert all(word in operation["description"] for word in ("REFUND_DUE", "UNCHANGED", "provider_reference"))


# A service whose store is empty: the tests create the product themselves.

PHONE = {"sku": "P-1", "name": "Phone", "category": "electronics", "price_paise": 1_499_900, "stock": 2}


def order(qty: int = 1) -> dict[str, object]:
    return {
        "customer_id": "c-1",
        "items": [{"sku": "P-1", "quantity": qty}],
        "shipping_address": ADDRESS,
        "payment_method": "UPI",
    }


@pytest.fixture
async def empty_client() -> AsyncIterator[httpx.AsyncClient]:
    services = services_for(InMemoryEventStore(), settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=auth.authenticator())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers=auth.STAFF
    ) as c:
        yield c


async def test_create_product_then_order(empty_client: httpx.AsyncClient) -> None:
    created = await empty_client.post("/v1/products", json=PHONE)
    assert created.status_code == 201 and created.json()["version"] == 1
    placed = await empty_client.post("/v1/orders", json=order())
    assert placed.status_code == 201
    body = placed.json()
    assert body["order_id"].startswith("ord-") and body["version"] == 1
    assert placed.headers["X-Consistency-Token"] == body["consistency_token"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price_paise": 12.5}, "price_paise"),
        ({"price_paise": -1}, "price_paise"),
        ({"price_paise": "100"}, "price_paise"),
        ({"sku": ""}, "sku"),
        ({"stock": None}, "stock"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_product_is_a_422_naming_the_field(empty_client: httpx.AsyncClient, patch: dict, field: str) -> None:
    response = await empty_client.post("/v1/products", json={**PHONE, **patch})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_bad_pincode_and_malformed_json(empty_client: httpx.AsyncClient) -> None:
    bad = await empty_client.post("/v1/orders", json={**order(), "shipping_address": {**ADDRESS, "pincode": "0123"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "shipping_address.pincode"
    garbled = await empty_client.post("/v1/orders", content=b"{not json", headers={"content-type": "application/json"})
    assert garbled.status_code == 422 and garbled.headers["content-type"] == "application/problem+json"


async def test_out_of_stock_is_409_naming_the_sku(empty_client: httpx.AsyncClient) -> None:
    await empty_client.post("/v1/products", json=PHONE)
    response = await empty_client.post("/v1/orders", json=order(5))
    assert response.status_code == 409
    assert response.json()["sku"] == "P-1" and response.json()["available"] == 2


async def test_unknown_product_is_404(empty_client: httpx.AsyncClient) -> None:
    response = await empty_client.post("/v1/orders", json=order())
    assert response.status_code == 404 and response.json()["sku"] == "P-1"


async def test_idempotency_key_replay_and_reuse(empty_client: httpx.AsyncClient) -> None:
    await empty_client.post("/v1/products", json=PHONE)
    first = await empty_client.post("/v1/orders", json=order(), headers={"Idempotency-Key": "abc"})
    again = await empty_client.post("/v1/orders", json=order(), headers={"Idempotency-Key": "abc"})
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = await empty_client.post("/v1/orders", json=order(2), headers={"Idempotency-Key": "abc"})
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


async def test_if_match(empty_client: httpx.AsyncClient) -> None:
    wrong = await empty_client.post("/v1/products", json=PHONE, headers={"If-Match": '"4"'})
    assert wrong.status_code == 412 and wrong.json()["current_version"] == 0
    malformed = await empty_client.post("/v1/products", json=PHONE, headers={"If-Match": "four"})
    assert malformed.status_code == 422 and malformed.json()["field"] == "If-Match"
    right = await empty_client.post("/v1/products", json=PHONE, headers={"If-Match": '"0"'})
    assert right.status_code == 201


async def test_health(empty_client: httpx.AsyncClient) -> None:
    assert (await empty_client.get("/healthz")).status_code == 200
    assert (await empty_client.get("/readyz")).status_code == 200
    assert "bahi_http_requests_total" in (await empty_client.get("/metrics")).text


async def test_stream_audit_trail_forwards_and_as_of(empty_client: httpx.AsyncClient) -> None:
    await empty_client.post("/v1/products", json=PHONE)
    await empty_client.post("/v1/orders", json=order())
    trail = await empty_client.get("/v1/streams/product-P-1")
    assert [e["event_type"] for e in trail.json()["events"]] == ["ProductCreated", "StockReserved"]
    first = trail.json()["events"][0]
    assert (first["version"], first["stream_type"]) == (1, "product")
    upto = await empty_client.get("/v1/streams/product-P-1", params={"to_version": 1})
    assert len(upto.json()["events"]) == 1
    before = await empty_client.get("/v1/streams/product-P-1", params={"as_of": "2000-01-01T00:00:00Z"})
    assert before.status_code == 404
    naive = await empty_client.get("/v1/streams/product-P-1", params={"as_of": "2030-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"
    paged = await empty_client.get("/v1/streams/product-P-1", params={"limit": 1})
    assert paged.json()["next_from_version"] == 2
