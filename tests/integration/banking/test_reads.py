"""The banking read side against the real MongoDB stand-in, in process: events the domain
decided (a `BankWorld` over the in-memory store) applied through the projector's engine
(`apply_batch`, as a live batch is) to a database of the module's own with the read models'
indexes, read back over HTTP from the query app (`create_app`, its own lifespan): the statement's
pages, window and kind filter; the balance at every moment of an account with more events than
its view keeps balances of (the history's query then answers); a customer's accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from projector_service.engine.apply import apply_batch
from projector_service.projections import banking as projections
from projector_service.registry import ProjectorRegistry
from query_service import banking
from query_service.app import create_app
from query_service.registry import QueryRegistry
from query_service.settings import Settings
from shared.balances import RECENT_BALANCES
from tests.support import auth
from tests.support.banking import BankWorld, Clock, rupees
from tests.support.infra import Infra, unique

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def bank_db(infra: Infra) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    database = client[unique("banking_q_")]
    for collection, indexes in ProjectorRegistry([projections.MANIFEST]).indexes.items():
        await database[collection].create_indexes(indexes)
    yield database
    await client.drop_database(database.name)
    await client.close()


@pytest.fixture(scope="module")
async def client(infra: Infra, bank_db: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(mongo_url=infra.mongo_url, mongo_db=bank_db.name, consistency_wait_seconds=0.3)
    app = create_app(settings, registry=QueryRegistry([banking.MANIFEST]))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://q", headers=auth.STAFF) as http:
            yield http


async def project(world: BankWorld, db: Any) -> None:
    envelopes = await world.store.read_all(0, 100_000)
    for projection in projections.MANIFEST.projections:
        await apply_batch(db[projection.collection], projection, envelopes)


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_balance_at_every_moment_from_the_view_and_from_the_history(
    client: httpx.AsyncClient, bank_db: Any
) -> None:
    clock = Clock(T0)
    world = BankWorld(clock=clock)
    account_id = await world.open()
    times, balances = [T0], [0]
    for n in range(1, RECENT_BALANCES + 9):
        clock.now = T0 + timedelta(hours=n, microseconds=211 * n)  # finer than BSON's milliseconds
        await (world.deposit(account_id, rupees(n)) if n % 3 else world.withdraw(account_id, rupees(1)))
        times.append(clock.now)
        balances.append(balances[-1] + (rupees(n) if n % 3 else -rupees(1)))
    await project(world, bank_db)
    view = await bank_db["account_view"].find_one({"_id": account_id})
    assert len(view["_balances"]) == RECENT_BALANCES and view["_balances_from_opening"] is False
    url = f"/v1/accounts/{account_id}/balance"
    before = await client.get(url, params={"as_of": z(T0 - timedelta(seconds=1))})
    assert before.status_code == 404 and before.json()["field"] == "as_of"
    tick = timedelta(microseconds=1)
    for n, at in enumerate(times):
        for moment, expected in ((at, balances[n]), (at + timedelta(minutes=30), balances[n])):
            got = await client.get(url, params={"as_of": z(moment)})
            assert got.status_code == 200, got.text
            assert (got.json()["balance_paise"], got.json()["version"]) == (expected, n + 1), (n, moment)
        if n:
            assert (await client.get(url, params={"as_of": z(at - tick)})).json()["balance_paise"] == balances[n - 1]


async def test_the_statement_pages_newest_first_with_running_balances_a_window_and_a_kind(
    client: httpx.AsyncClient, bank_db: Any
) -> None:
    clock = Clock(T0)
    world = BankWorld(clock=clock)
    account_id = await world.open(customer_id="cust-s")
    for n in range(7):
        clock.advance(minutes=10)
        await (
            world.deposit(account_id, rupees(100), txn_id=f"d-{n}")
            if n % 2 == 0
            else world.withdraw(account_id, rupees(30), txn_id=f"w-{n}")
        )
    await project(world, bank_db)
    url = f"/v1/accounts/{account_id}/statement"
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url, params=params)).json()
        pages.append([(e["movement_id"], e["balance_after_paise"]) for e in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == [
        [("d-6", rupees(310)), ("w-5", rupees(210)), ("d-4", rupees(240))],
        [("w-3", rupees(140)), ("d-2", rupees(170)), ("w-1", rupees(70))],
        [("d-0", rupees(100))],
    ]
    window = {"from": z(T0 + timedelta(minutes=20)), "to": z(T0 + timedelta(minutes=40))}
    assert [e["movement_id"] for e in (await client.get(url, params=window)).json()["items"]] == ["w-3", "d-2", "w-1"]
    kind = (await client.get(url, params={"kind": "WITHDRAWAL"})).json()["items"]
    assert [e["movement_id"] for e in kind] == ["w-5", "w-3", "w-1"]
    for bad, field in (
        ({"kind": "TOPUP"}, "kind"),
        ({"from": "2026-11-02T10:00:00"}, "from"),
        ({"cursor": "%%"}, "cursor"),
    ):
        response = await client.get(url, params=bad)
        problem = response.json()
        assert response.status_code == 422 and (problem.get("field") or problem["errors"][0]["field"]) == field
    accounts = (await client.get("/v1/customers/cust-s/accounts")).json()["items"]
    assert [(a["account_id"], a["balance_paise"]) for a in accounts] == [(account_id, rupees(310))]
    account = (await client.get(f"/v1/accounts/{account_id}")).json()
    assert account["balance_paise"] == rupees(310) and account["version"] == 8
