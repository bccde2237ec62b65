"""Per-customer authorization of the reads, against the real MongoDB stand-in, on the fast path
(`query_service.api.fast`) and on FastAPI's routes alike: a customer token reads its own orders,
wallets, statements and summaries; another customer's are the same 404 as what does not exist
(an ETag of theirs included: no 304); staff tokens read everything; a customer reading its own
new order with a consistency token waits for it as anyone would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from projector_service.engine.apply import apply_batch
from query_service import commerce, wallets
from query_service.api.deps import reads_of
from query_service.app import create_app
from query_service.registry import QueryRegistry
from query_service.settings import Settings
from shared.commerce.read_models import ORDER_VIEW
from shared.envelope import EventEnvelope
from tests.support import auth
from tests.support.infra import Infra, unique
from tests.support.views import placed, stored
from tests.support.wallet_views import Book, registry, rupees

pytestmark = pytest.mark.integration

ASHA, RAVI = "cust-asha", "cust-ravi"


def an_order(customer: str, position: int) -> tuple[str, list[EventEnvelope]]:
    order_id = unique("ord-")
    event = placed(order_id).model_copy(update={"customer_id": customer})
    return order_id, stored(order_id, "order", [event], first_position=position)


class World:
    def __init__(self, db: Any) -> None:
        self.db = db

    async def project(self, events: list[EventEnvelope]) -> None:
        for projection in registry().projections.values():
            await apply_batch(self.db[projection.collection], projection, events)


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    db = client[unique("auth_reads_")]
    for collection, indexes in registry().indexes.items():
        await db[collection].create_indexes(indexes)
    yield World(db)
    await client.drop_database(db.name)
    await client.close()


@pytest.fixture(scope="module")
async def apps(infra: Infra, world: World) -> AsyncIterator[dict[str, Any]]:
    """The query app with its fast path (`fast`) and without it (`routed`)."""
    built = {}
    for name, fast in (("fast", True), ("routed", False)):
        settings = Settings(mongo_url=infra.mongo_url, mongo_db=world.db.name, consistency_wait_seconds=3.0)
        built[name] = create_app(
            settings, registry=QueryRegistry([commerce.MANIFEST, wallets.MANIFEST]), fast_reads=fast
        )
    async with (
        built["fast"].router.lifespan_context(built["fast"]),
        built["routed"].router.lifespan_context(built["routed"]),
    ):
        yield built


async def get(app: Any, path: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://q") as http:
        return await http.get(path, headers=headers)


async def test_a_customer_reads_only_its_own_and_another_customers_is_a_404(world: World, apps: dict[str, Any]) -> None:
    asha_order, events = an_order(ASHA, 10_000)
    ravi_order, more = an_order(RAVI, 20_000)
    asha_wallet = Book().open(ASHA).top_up(rupees(500))
    ravi_wallet = Book().open(RAVI).top_up(rupees(700))
    await world.project(events + more + asha_wallet.stored() + ravi_wallet.stored())
    asha, staff = auth.customer(ASHA), auth.STAFF
    cases: list[tuple[str, dict[str, str], int]] = [
        (f"/v1/orders/{asha_order}", asha, 200),
        (f"/v1/orders/{ravi_order}", asha, 404),
        (f"/v1/orders/{ravi_order}", {**asha, "If-None-Match": '"1"'}, 404),  # its ETag does not reveal it either
        (f"/v1/orders/{ravi_order}", staff, 200),
        (f"/v1/wallets/{asha_wallet.wallet_id}", asha, 200),
        (f"/v1/wallets/{ravi_wallet.wallet_id}", asha, 404),
        (f"/v1/wallets/{ravi_wallet.wallet_id}", staff, 200),
        (f"/v1/wallets/{asha_wallet.wallet_id}/balance", asha, 200),
        (f"/v1/wallets/{ravi_wallet.wallet_id}/balance", asha, 404),
        (f"/v1/wallets/{ravi_wallet.wallet_id}/balance?as_of=2030-01-01T00:00:00Z", asha, 404),
        (f"/v1/wallets/{ravi_wallet.wallet_id}/balance?as_of=2030-01-01T00:00:00Z", staff, 200),
        (f"/v1/wallets/{asha_wallet.wallet_id}/statement", asha, 200),
        (f"/v1/wallets/{ravi_wallet.wallet_id}/statement", asha, 404),
        (f"/v1/wallets/{ravi_wallet.wallet_id}/statement", staff, 200),
        (f"/v1/customers/{ASHA}/orders", asha, 200),
        (f"/v1/customers/{RAVI}/orders", asha, 404),
        (f"/v1/customers/{RAVI}/summary", asha, 404),
        (f"/v1/customers/{RAVI}/summary", staff, 200),
        ("/v1/products?limit=1", asha, 200),  # the catalogue is open to every customer
    ]
    for path, headers, status in cases:
        fast, routed = await get(apps["fast"], path, headers), await get(apps["routed"], path, headers)
        assert (fast.status_code, routed.status_code) == (status, status), (path, fast.text, routed.text)
        assert fast.content == routed.content, path
    for kind, theirs in (("orders", ravi_order), ("wallets", ravi_wallet.wallet_id)):
        hidden = await get(apps["fast"], f"/v1/{kind}/{theirs}", asha)
        missing = await get(apps["fast"], f"/v1/{kind}/{kind[:3]}-nobody", asha)
        assert hidden.json() == {
            **missing.json(),
            "detail": missing.json()["detail"].replace(f"{kind[:3]}-nobody", theirs),
        }


@pytest.mark.parametrize("path", ["fast", "routed"])
async def test_a_customer_reading_its_new_order_with_a_token_waits_for_it(
    world: World, apps: dict[str, Any], path: str
) -> None:
    order_id, events = an_order(ASHA, 30_000 if path == "fast" else 40_000)
    app = apps[path]
    asha = auth.customer(ASHA)
    assert (await get(app, f"/v1/orders/{order_id}", asha)).status_code == 404  # not projected yet
    reading = asyncio.create_task(
        get(app, f"/v1/orders/{order_id}", {**asha, "X-Consistency-Token": f"{order_id}:1:1"})
    )
    watcher = reads_of(app.state).watcher
    while not watcher._waiting[ORDER_VIEW] and not reading.done():  # until the read waits for the order
        await asyncio.sleep(0.005)
    await world.project(events)
    answer = await reading
    assert answer.status_code == 200, answer.text
    assert answer.json()["order_id"] == order_id and "x-consistency-timeout" not in answer.headers
