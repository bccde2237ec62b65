"""Rate limits on the command side: a token bucket per principal and one per client address
(`shared.ratelimit`); an empty bucket is a 429, problem+json with `Retry-After`, and nothing is
appended; one client's exhausted bucket leaves the others served; health checks are never
limited. Time is a fake clock: nothing sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from command_service.api import build_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from shared.ratelimit import RateLimits, TokenBuckets
from tests.support import auth

PRODUCT = {"name": "Phone", "category": "books", "price_paise": 1000, "stock": 5}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_holds_its_burst_and_refills_at_its_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(2.0, 3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # half a second until the next token
    assert buckets.take("b") == 0.0  # another key has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    clock.now += 100
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refilled to the burst, not beyond


def test_buckets_are_bounded_by_forgetting_the_idle_ones() -> None:
    clock = Clock()
    buckets = TokenBuckets(1.0, 1, clock=clock, max_keys=3)
    buckets.take("a")
    buckets.take("b")
    clock.now += 0.9
    buckets.take("c")
    clock.now += 0.1  # a and b are full again (idle: forgetting them changes nothing), c is not
    assert buckets.take("d") == 0.0
    assert set(buckets._buckets) == {"c", "d"}
    assert buckets.take("c") > 0  # still refilling: forgetting it would have let it through


def test_the_settings_make_the_limits_and_zero_turns_them_off() -> None:
    limits = RateLimits.of(Settings())
    assert limits is not None and limits.principal is not None and limits.client is not None
    assert RateLimits.of(Settings(rate_limit_principal_per_second=0, rate_limit_client_per_second=0)) is None


@asynccontextmanager
async def limited(limits: RateLimits) -> AsyncIterator[tuple[Callable[[str], httpx.AsyncClient], InMemoryEventStore]]:
    store = InMemoryEventStore()
    services = services_for(store, settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=auth.authenticator(), limits=limits)
    clients: list[httpx.AsyncClient] = []

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 4242))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://c"))
        return clients[-1]

    try:
        yield client, store
    finally:
        for c in clients:
            await c.aclose()


def product(sku: str) -> dict[str, object]:
    return {**PRODUCT, "sku": sku}


async def test_one_principal_over_its_limit_is_429_and_the_others_are_served() -> None:
    clock = Clock()
    async with limited(RateLimits(TokenBuckets(1.0, 2, clock=clock), None)) as (client, store):
        http = client("10.0.0.1")
        asha = auth.bearer(auth.token("ops-asha", "catalog:write"))
        ravi = auth.bearer(auth.token("ops-ravi", "catalog:write"))
        assert [
            (await http.post("/v1/products", json=product(f"A-{n}"), headers=asha)).status_code for n in (1, 2)
        ] == [
            201,
            201,
        ]
        refused = await http.post("/v1/products", json=product("A-3"), headers=asha)
        assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["limit"] == "principal" and refused.json()["status"] == 429
        assert (await http.post("/v1/products", json=product("R-1"), headers=ravi)).status_code == 201
        assert (await http.get("/healthz")).status_code == 200
        clock.now += 1.0
        assert (await http.post("/v1/products", json=product("A-3"), headers=asha)).status_code == 201
        skus = {e.data["sku"] for e in await store.read_all(0, 100)}
        assert skus == {"A-1", "A-2", "R-1", "A-3"}  # the refused request appended nothing


async def test_one_client_address_over_its_limit_is_429_even_without_a_token() -> None:
    clock = Clock()
    async with limited(RateLimits(None, TokenBuckets(1.0, 2, clock=clock))) as (client, _):
        noisy, quiet = client("10.0.0.1"), client("10.0.0.2")
        assert (await noisy.post("/v1/products", json=product("X"))).status_code == 401  # counted all the same
        assert (await noisy.post("/v1/products", json=product("X"), headers=auth.STAFF)).status_code == 201
        refused = await noisy.post("/v1/products", json=product("Y"), headers=auth.STAFF)
        assert refused.status_code == 429 and refused.json()["limit"] == "client address"
        assert int(refused.headers["retry-after"]) >= 1
        assert (await noisy.get("/readyz")).status_code == 200  # health checks are never limited
        assert (await quiet.post("/v1/products", json=product("Y"), headers=auth.STAFF)).status_code == 201
