"""The command API with the in-memory store: status codes and problem+json."""

from collections.abc import AsyncIterator

import httpx
import pytest

from command_service.api import build_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings

PRODUCT = {"sku": "P-1", "name": "Phone", "category": "electronics", "price_paise": 1_499_900, "stock": 2}
ADDRESS = {"name": "Asha", "line1": "12 MG Road", "city": "Pune", "state": "MH", "pincode": "411001"}


def order(qty: int = 1) -> dict[str, object]:
    return {
        "customer_id": "c-1",
        "items": [{"sku": "P-1", "quantity": qty}],
        "shipping_address": ADDRESS,
        "payment_method": "UPI",
    }


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    services = services_for(InMemoryEventStore(), settings=Settings())
    app = build_app(lambda: services, default_registry())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_create_product_then_order(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/products", json=PRODUCT)
    assert created.status_code == 201 and created.json()["version"] == 1
    placed = await client.post("/v1/orders", json=order())
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
async def test_bad_product_is_a_422_naming_the_field(client: httpx.AsyncClient, patch: dict, field: str) -> None:
    response = await client.post("/v1/products", json={**PRODUCT, **patch})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_bad_pincode_and_malformed_json(client: httpx.AsyncClient) -> None:
    bad = await client.post("/v1/orders", json={**order(), "shipping_address": {**ADDRESS, "pincode": "0123"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "shipping_address.pincode"
    garbled = await client.post("/v1/orders", content=b"{not json", headers={"content-type": "application/json"})
    assert garbled.status_code == 422 and garbled.headers["content-type"] == "application/problem+json"


async def test_out_of_stock_is_409_naming_the_sku(client: httpx.AsyncClient) -> None:
    await client.post("/v1/products", json=PRODUCT)
    response = await client.post("/v1/orders", json=order(5))
    assert response.status_code == 409
    assert response.json()["sku"] == "P-1" and response.json()["available"] == 2


async def test_unknown_product_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/orders", json=order())
    assert response.status_code == 404 and response.json()["sku"] == "P-1"


async def test_idempotency_key_replay_and_reuse(client: httpx.AsyncClient) -> None:
    await client.post("/v1/products", json=PRODUCT)
    first = await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": "abc"})
    again = await client.post("/v1/orders", json=order(), headers={"Idempotency-Key": "abc"})
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = await client.post("/v1/orders", json=order(2), headers={"Idempotency-Key": "abc"})
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


async def test_if_match(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/v1/products", json=PRODUCT, headers={"If-Match": '"4"'})
    assert wrong.status_code == 412 and wrong.json()["current_version"] == 0
    malformed = await client.post("/v1/products", json=PRODUCT, headers={"If-Match": "four"})
    assert malformed.status_code == 422 and malformed.json()["field"] == "If-Match"
    right = await client.post("/v1/products", json=PRODUCT, headers={"If-Match": '"0"'})
    assert right.status_code == 201


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    assert "bahi_http_requests_total" in (await client.get("/metrics")).text


async def test_stream_audit_trail_forwards_and_as_of(client: httpx.AsyncClient) -> None:
    await client.post("/v1/products", json=PRODUCT)
    await client.post("/v1/orders", json=order())
    trail = await client.get("/v1/streams/product-P-1")
    assert [e["event_type"] for e in trail.json()["events"]] == ["ProductCreated", "StockReserved"]
    first = trail.json()["events"][0]
    assert (first["version"], first["stream_type"]) == (1, "product")
    upto = await client.get("/v1/streams/product-P-1", params={"to_version": 1})
    assert len(upto.json()["events"]) == 1
    before = await client.get("/v1/streams/product-P-1", params={"as_of": "2000-01-01T00:00:00Z"})
    assert before.status_code == 404
    naive = await client.get("/v1/streams/product-P-1", params={"as_of": "2030-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"
    paged = await client.get("/v1/streams/product-P-1", params={"limit": 1})
    assert paged.json()["next_from_version"] == 2
