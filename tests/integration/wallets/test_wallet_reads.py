"""A wallet and its balance at a moment over HTTP, against the real MongoDB stand-in: the view
with its ETag and consistency waits (plain read and FastAPI route alike), the balance as of
several moments from the history (one indexed query), a moment before the wallet existed (404
saying when it opened), moments without a timezone and unknown parameters (422 naming them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.wallets.read_models import WALLET_BALANCE_HISTORY, time_key
from tests.integration.wallets.conftest import Project
from tests.support import auth
from tests.support.wallet_views import T0, Book, rupees

pytestmark = pytest.mark.integration


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_the_wallet_view_with_etag_and_consistency(client: httpx.AsyncClient, project: Project) -> None:
    book = Book().open().top_up(rupees(900)).hold(rupees(100), "p-1")
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}"
    plain = await client.get(url)
    assert plain.status_code == 200 and plain.headers["etag"] == '"3"'
    body = plain.json()
    assert (body["balance_paise"], body["held_paise"], body["available_paise"]) == (
        rupees(900),
        rupees(100),
        rupees(800),
    )
    assert body["headroom"]["month"] == "2025-03" and body["open_holds"][0]["payment_id"] == "p-1"
    assert "_loads" not in body and "_id" not in body
    assert (await client.get(url, headers={"If-None-Match": '"3"'})).status_code == 304
    waited = await client.get(url, params={"min_version": 3})
    assert waited.status_code == 200 and "x-consistency-timeout" not in waited.headers
    ahead = await client.get(url, headers={"X-Consistency-Token": f"{book.wallet_id}:4:99"})
    assert ahead.status_code == 200 and ahead.headers["x-consistency-timeout"] == "true"
    other = await client.get(url, headers={"X-Consistency-Token": "wal-other:9:99"})
    assert "x-consistency-timeout" not in other.headers
    bad = await client.get(url, params={"min_version": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "min_version"
    unknown = await client.get(url, params={"verbose": "1"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "verbose"
    missing = await client.get("/v1/wallets/wal-nobody")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


async def test_balance_as_of_several_moments(client: httpx.AsyncClient, project: Project) -> None:
    book = Book(at=T0).open()
    book.top_up(rupees(500), at=T0 + timedelta(hours=1)).pay(rupees(200), at=T0 + timedelta(hours=2))
    book.top_up(rupees(50), at=T0 + timedelta(hours=2))  # the same moment: the later version wins
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}/balance"

    async def balance(moment: Any) -> dict[str, Any]:
        answer = await client.get(url, params={"as_of": z(moment)})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    assert (await balance(T0))["balance_paise"] == 0  # at the opening itself
    assert (await balance(T0 + timedelta(minutes=59)))["balance_paise"] == 0
    exact = await balance(T0 + timedelta(hours=1))
    assert (exact["balance_paise"], exact["version"], exact["event"]) == (rupees(500), 2, "WalletToppedUp")
    assert (await balance(T0 + timedelta(hours=2)))["balance_paise"] == rupees(350)
    later = await balance(T0 + timedelta(days=30))
    assert later["balance_paise"] == rupees(350) and later["version"] == 4
    ist = await client.get(url, params={"as_of": "2025-03-03T12:30:00+05:30"})  # 07:00 UTC: after the top-up
    assert ist.json()["balance_paise"] == rupees(500) and ist.json()["as_of"] == "2025-03-03T07:00:00Z"
    latest = await client.get(url)
    assert latest.json()["balance_paise"] == rupees(350) and latest.json()["as_of"] is None
    assert (await client.get(url, headers={"If-None-Match": latest.headers["etag"]})).status_code == 304


async def test_balance_before_the_wallet_existed_and_refused_moments(
    client: httpx.AsyncClient, project: Project
) -> None:
    book = Book(at=T0).open().top_up(rupees(5))
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}/balance"
    before = await client.get(url, params={"as_of": z(T0 - timedelta(microseconds=1))})
    assert before.status_code == 404 and before.headers["content-type"] == "application/problem+json"
    assert "did not exist" in before.json()["detail"] and before.json()["opened_at"].startswith("2025-03-03T06:00:00")
    unknown = await client.get("/v1/wallets/wal-never/balance", params={"as_of": z(T0)})
    assert unknown.status_code == 404 and "not found" in unknown.json()["detail"]
    naive = await client.get(url, params={"as_of": "2025-03-03T10:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "as_of" and "timezone" in naive.json()["detail"]
    extra = await client.get(url, params={"as_of": z(T0), "at": "x"})
    assert extra.status_code == 422 and extra.json()["field"] == "at"
    ahead = await client.get(url, headers={"X-Consistency-Token": f"{book.wallet_id}:3:9"})
    assert ahead.headers["x-consistency-timeout"] == "true" and ahead.json()["balance_paise"] == rupees(5)
    current = await client.get(url, headers={"X-Consistency-Token": f"{book.wallet_id}:2:9"})
    assert "x-consistency-timeout" not in current.headers


async def test_balance_as_of_runs_on_the_index(wallet_db: Any) -> None:
    query = {"wallet_id": "wal-x", "sort_key": {"$lt": time_key(T0) + "}"}}
    plan = await wallet_db[WALLET_BALANCE_HISTORY].find(query).sort("sort_key", -1).limit(1).explain()
    assert "COLLSCAN" not in str(plan) and "by_wallet_time" in str(plan)


async def test_the_fast_path_answers_balance_reads_as_the_route_does(
    infra: Any, wallet_db: Any, project: Project
) -> None:
    from query_service import commerce, wallets
    from query_service.app import create_app
    from query_service.registry import QueryRegistry
    from query_service.settings import Settings

    book = Book(at=T0).open().top_up(rupees(500), at=T0 + timedelta(hours=1))
    await project(book.stored())
    base = f"/v1/wallets/{book.wallet_id}/balance"
    requests: list[tuple[str, dict[str, str]]] = [
        (base, {}),
        (f"{base}?as_of={z(T0 + timedelta(minutes=30))}", {}),
        (f"{base}?as_of={z(T0 + timedelta(hours=2))}", {"If-None-Match": '"x"'}),
        (f"{base}?as_of={z(T0 - timedelta(days=1))}", {}),  # before the wallet: 404 saying when it opened
        (f"{base}?as_of=yesterday", {}),
        (f"{base}?as_of=2025-03-03T06:00:00", {}),  # no offset
        (f"{base}?as_of=" + "9" * 70, {}),
        (f"{base}?as_of={z(T0)}&as_of={z(T0)}", {}),  # twice: FastAPI's
        (f"{base}?verbose=1", {}),
        (f"{base}", {"X-Consistency-Token": f"{book.wallet_id}:9:99"}),
        (f"{base}", {"X-Consistency-Token": "nonsense"}),
        ("/v1/wallets/wal-nobody/balance", {}),
        ("/v1/wallets/bad key!/balance", {}),
    ]
    apps = []
    for fast in (True, False):
        settings = Settings(mongo_url=infra.mongo_url, mongo_db=wallet_db.name, consistency_wait_seconds=0.2)
        apps.append(
            create_app(settings, registry=QueryRegistry([commerce.MANIFEST, wallets.MANIFEST]), fast_reads=fast)
        )
    compared = ("content-type", "etag", "x-consistency-timeout")

    def named(problem: dict[str, Any]) -> str:
        return str(problem.get("field") or problem["errors"][0]["field"])

    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        fast_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps[0]), base_url="http://q", headers=auth.STAFF
        )
        routed_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps[1]), base_url="http://q", headers=auth.STAFF
        )
        async with fast_http, routed_http:
            statuses = set()
            for path, headers in requests:
                got, want = await fast_http.get(path, headers=headers), await routed_http.get(path, headers=headers)
                assert got.status_code == want.status_code, (path, got.text, want.text)
                if got.status_code != 422:  # FastAPI words its own 422s; both name the field
                    assert got.content == want.content, (path, got.text, want.text)
                else:
                    assert named(got.json()) == named(want.json()), (path, got.text, want.text)
                assert {h: got.headers.get(h) for h in compared} == {h: want.headers.get(h) for h in compared}
                statuses.add(got.status_code)
    assert statuses == {200, 404, 422}


async def test_recent_balances_and_the_history_answer_every_moment_alike(
    client: httpx.AsyncClient, project: Project, wallet_db: Any
) -> None:
    """A wallet with more events than its view keeps balances of: every moment (at, between and
    before its events) answers the same over HTTP (the view's recent balances for recent moments,
    the history's query for older ones) as the history's query alone."""
    from query_service.wallets.views import BalanceView, BeforeOpening, balance_as_of
    from shared.read_models import CollectionResolver
    from shared.wallets.read_models import RECENT_BALANCES

    book = Book(at=T0).open()
    count = RECENT_BALANCES + 9
    times = [T0 + timedelta(hours=n, microseconds=137 * n) for n in range(count)]  # finer than BSON's ms
    for n in range(1, count):
        book.top_up(rupees(n), at=times[n])
    await project(book.stored())
    view = await wallet_db["wallet_view"].find_one({"_id": book.wallet_id})
    assert len(view["_balances"]) == RECENT_BALANCES and view["_balances_from_opening"] is False
    url = f"/v1/wallets/{book.wallet_id}/balance"
    resolver = CollectionResolver(wallet_db)
    tick = timedelta(microseconds=1)
    moments = [T0 - timedelta(seconds=1)]
    moments += [moment for at in times for moment in (at - tick, at, at + tick, at + timedelta(minutes=30))]
    for moment in moments:
        got = await client.get(url, params={"as_of": z(moment)})
        try:
            want: BalanceView | None = await balance_as_of(wallet_db, resolver, book.wallet_id, moment)
        except BeforeOpening:
            assert got.status_code == 404 and "did not exist" in got.json()["detail"], (moment, got.text)
            continue
        assert want is not None and got.status_code == 200, (moment, got.text)
        assert BalanceView.model_validate(got.json()) == want, moment
    latest = (await client.get(url)).json()
    assert latest["version"] == count and latest["balance_paise"] == sum(rupees(n) for n in range(1, count))
