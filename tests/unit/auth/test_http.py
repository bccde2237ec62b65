"""Authentication and authorization over HTTP (in process, an in-memory event store, no
database for the reads refused before any read): 401 with the Bearer challenge of RFC 6750, 403
naming the missing scope, problem+json like every other error, never a 500 and nothing
appended; health, readiness, metrics and the API documents open; the token's subject as the
events' actor; what a customer token may and may not do on the command side (another
customer's order or wallet: the same 404 as one that does not exist)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from command_service.api import build_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from query_service.api import build_app as build_query_app
from shared.auth.local import new_signing_key
from tests.support import auth

PROBLEM = "application/problem+json"
PRODUCT = {"sku": "P-1", "name": "Phone", "category": "books", "price_paise": 1000, "stock": 50}
ADDRESS = {"name": "Asha", "line1": "12 MG Road", "city": "Pune", "state": "MH", "pincode": "411001"}


def order(customer: str) -> dict[str, Any]:
    return {
        "customer_id": customer,
        "items": [{"sku": "P-1", "quantity": 1}],
        "shipping_address": ADDRESS,
        "payment_method": "COD",
    }


@dataclass
class Command:
    http: httpx.AsyncClient
    store: InMemoryEventStore

    async def events(self) -> list[Any]:
        return await self.store.read_all(0, 10_000)


@pytest.fixture
async def command() -> AsyncIterator[Command]:
    store = InMemoryEventStore()
    services = services_for(store, settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=auth.authenticator())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as http:
        yield Command(http, store)


@pytest.fixture
async def query() -> AsyncIterator[httpx.AsyncClient]:
    """The query app with no database: only for requests refused before anything is read."""

    async def ready() -> None:
        return None

    app = build_query_app(lifespan=None, ready=ready, auth=auth.authenticator())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://q") as http:
        yield http


def assert_problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


async def test_no_token_is_401_with_the_bare_bearer_challenge(command: Command, query: httpx.AsyncClient) -> None:
    answers = [
        await command.http.post("/v1/products", json=PRODUCT),
        await command.http.get("/v1/streams/product-P-1"),
        await query.get("/v1/orders/ord-1"),  # the fast path
        await query.get("/v1/orders/ord-1?min_version=1"),  # the routed path
        await query.get("/v1/wallets/wal-1/balance?as_of=2025-01-01T00:00:00Z"),
        await query.get("/v1/orders", params={"q": "x"}),
        await query.get("/v1/orders/ord-1", headers={"Authorization": "Basic YTpi"}),  # not a bearer token
    ]
    for answer in answers:
        assert_problem(answer, 401)
        assert answer.headers["www-authenticate"] == 'Bearer realm="bahi"'
    assert await command.events() == []


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (auth.token("staff-1", "catalog:write", ttl=-120), "expired"),
        (auth.token("staff-1", "catalog:write", key=new_signing_key()), "unknown key"),
        (auth.token("staff-1", "catalog:write", aud="someone-else"), "audience"),
        (auth.token("staff-1", "catalog:write", iss="https://evil.test"), "issuer"),
        ("garbage", "malformed"),
        ("a.b.c", "malformed"),
        ("", "empty"),
        ("é" * 10, "malformed"),
        ("x" * 10_000, "longer than"),
    ],
)
async def test_a_token_that_does_not_verify_is_401_invalid_token(
    command: Command, query: httpx.AsyncClient, token: str, why: str
) -> None:
    headers = {"Authorization": f"Bearer {token}".encode("latin-1")}
    for answer in (
        await command.http.post("/v1/products", json=PRODUCT, headers=headers),
        await query.get("/v1/products/P-1", headers=headers),
    ):
        body = assert_problem(answer, 401)
        challenge = answer.headers["www-authenticate"]
        assert challenge.startswith('Bearer realm="bahi", error="invalid_token", error_description="')
        assert why in challenge and why in body["detail"]
    assert await command.events() == []


async def test_a_missing_scope_is_403_naming_it(command: Command, query: httpx.AsyncClient) -> None:
    reader = auth.bearer(auth.token("ops-1", "orders:read"))
    refused = await command.http.post("/v1/products", json=PRODUCT, headers=reader)
    body = assert_problem(refused, 403)
    assert body["scope"] == "catalog:write" and "catalog:write" in body["detail"]
    assert refused.headers["www-authenticate"] == (
        'Bearer realm="bahi", error="insufficient_scope", scope="catalog:write"'
    )
    catalog_only = auth.bearer(auth.token("ops-2", "catalog:read"))
    for path in ("/v1/orders/ord-1", "/v1/orders/ord-1?min_version=1", "/v1/orders?q=x"):  # fast, routed, list
        assert assert_problem(await query.get(path, headers=catalog_only), 403)["scope"] == "orders:read"
    customer = auth.customer("cust-1")
    for path in ("/v1/orders?q=x", "/v1/merchants/m-1/settlements?date=2025-01-01"):  # never for customer tokens
        body = assert_problem(await query.get(path, headers=customer), 403)
        assert "not open to customer tokens" in body["detail"]
    assert assert_problem(await command.http.post("/v1/products", json=PRODUCT, headers=customer), 403)
    assert await command.events() == []


async def test_health_readiness_metrics_and_the_api_documents_stay_open(
    command: Command, query: httpx.AsyncClient
) -> None:
    for client in (command.http, query):
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"):
            assert (await client.get(path)).status_code == 200, path


async def test_the_actor_of_every_event_is_the_tokens_subject(command: Command) -> None:
    staff = auth.bearer(auth.token("ops-asha", "catalog:write", "orders:write"))
    created = await command.http.post("/v1/products", json=PRODUCT, headers={**staff, "X-Actor": "mallory"})
    assert created.status_code == 201, created.text
    placed = await command.http.post("/v1/orders", json=order("cust-7"), headers=auth.customer("cust-7"))
    assert placed.status_code == 201, placed.text
    actors = {(e.event_type, e.metadata.actor) for e in await command.events()}
    assert actors == {
        ("ProductCreated", "ops-asha"),
        ("OrderPlaced", "cust-7"),
        ("StockReserved", "cust-7"),
        ("OrderConfirmed", "cust-7"),  # cash on delivery: confirmed at once
    }


async def test_a_customer_acts_only_on_its_own_orders(command: Command) -> None:
    assert (await command.http.post("/v1/products", json=PRODUCT, headers=auth.STAFF)).status_code == 201
    asha, ravi = auth.customer("cust-asha"), auth.customer("cust-ravi")
    for_another = await command.http.post("/v1/orders", json=order("cust-ravi"), headers=asha)
    assert assert_problem(for_another, 403)["field"] == "customer_id"
    placed = await command.http.post("/v1/orders", json=order("cust-asha"), headers=asha)
    order_id = placed.json()["order_id"]
    before = len(await command.events())
    theirs = await command.http.post(f"/v1/orders/{order_id}/cancellation", json={"reason": "x"}, headers=ravi)
    nobodys = await command.http.post("/v1/orders/ord-nobody/cancellation", json={"reason": "x"}, headers=ravi)
    assert_problem(theirs, 404)
    assert_problem(nobodys, 404)
    assert theirs.json() == {**nobodys.json(), "detail": nobodys.json()["detail"].replace("ord-nobody", order_id)}
    assert (
        assert_problem(
            await command.http.post(
                f"/v1/orders/{order_id}/shipment", json={"courier": "c", "tracking_id": "t"}, headers=asha
            ),
            403,
        )["scope"]
        == "orders:write"
    )
    assert len(await command.events()) == before
    own = await command.http.post(
        f"/v1/orders/{order_id}/cancellation", json={"reason": "changed my mind"}, headers=asha
    )
    assert own.status_code == 200, own.text
    staff = await command.http.post(f"/v1/orders/{order_id}/return", json={"reason": "x"}, headers=auth.STAFF)
    assert staff.status_code == 409  # staff act on every order (this one is cancelled: no return)


async def test_a_customer_acts_only_on_its_own_wallet(command: Command) -> None:
    asha, ravi = auth.customer("cust-asha"), auth.customer("cust-ravi")
    opened = await command.http.post(
        "/v1/wallets", json={"customer_id": "cust-asha", "mobile": "9876543210", "kyc": "MINIMUM"}, headers=asha
    )
    assert opened.status_code == 201, opened.text
    wallet_id = opened.json()["wallet_id"]
    top_up = {"topup_id": "t-1", "amount_paise": 50_000, "source": "UPI", "reference": "upi:1"}
    assert (await command.http.post(f"/v1/wallets/{wallet_id}/topups", json=top_up, headers=asha)).status_code == 200
    before = len(await command.events())
    theirs = await command.http.post(
        f"/v1/wallets/{wallet_id}/topups", json={**top_up, "topup_id": "t-2"}, headers=ravi
    )
    assert_problem(theirs, 404)
    pay = {"payment_id": "p-1", "merchant_id": "m-1", "amount_paise": 100, "hold": True}
    assert (await command.http.post(f"/v1/wallets/{wallet_id}/payments", json=pay, headers=asha)).status_code == 200
    capture = await command.http.post(f"/v1/wallets/{wallet_id}/payments/p-1/capture", headers=asha)
    assert assert_problem(capture, 403)["scope"] == "wallets:write"  # the merchant's, not the customer's
    assert len(await command.events()) == before + 1
