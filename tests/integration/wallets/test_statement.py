"""A wallet's statement over HTTP against the real MongoDB stand-in: newest first, cursor pages
stable while newer entries are projected between them, the kind filter and the inclusive time
window on their indexes, ETags, the consistency token waited for at any version (markers), and
422s naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from query_service.wallets.statement import StatementFilters, build_query
from shared.wallets.read_models import WALLET_STATEMENT
from shared.wallets.values import TopupSource
from tests.integration.wallets.conftest import Project
from tests.support.wallet_views import T0, Book, rupees

pytestmark = pytest.mark.integration


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def pages(client: httpx.AsyncClient, url: str, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = await client.get(url, params={**query, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        items.extend(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if not cursor:
            return items


async def test_pages_are_newest_first_and_stable_under_inserts(client: httpx.AsyncClient, project: Project) -> None:
    book = Book().open().top_up(rupees(1_000), at=T0)
    for n in range(1, 25):
        at = T0 + timedelta(minutes=n)
        book.top_up(rupees(n), at=at) if n % 3 else book.pay(n, at=at)
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}/statement"
    first = (await client.get(url, params={"limit": 7})).json()
    keys = [(item["occurred_at"], item["version"]) for item in first["items"]]
    assert len(keys) == 7 and keys == sorted(keys, reverse=True)
    seen_before = len(book.events)
    book.top_up(rupees(1), at=T0 + timedelta(days=1)).top_up(rupees(2), at=T0 + timedelta(days=1))
    await project(book.stored(seen_before + 1))  # two newer entries land between the pages
    seen = [item["version"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (await client.get(url, params={"limit": 7, "cursor": cursor})).json()
        seen.extend(item["version"] for item in page["items"])
        cursor = page["next_cursor"]
    assert sorted(seen, reverse=True) == list(range(26, 1, -1))  # every entry once, none of the new ones
    fresh = (await client.get(url, params={"limit": 2})).json()["items"]
    assert [item["version"] for item in fresh] == [28, 27]
    entry = fresh[0]
    assert entry["kind"] == "TOPUP" and entry["topup_id"] and entry["balance_after_paise"] == book.balance
    assert "sort_key" not in entry and "_id" not in entry and "wallet_id" not in entry


async def test_kind_filter_and_time_window(client: httpx.AsyncClient, project: Project) -> None:
    book = Book(at=T0).open()
    for hour in range(1, 7):
        at = T0 + timedelta(hours=hour)
        book.top_up(rupees(100), TopupSource.CASH, at=at) if hour % 2 else book.pay(rupees(10), at=at)
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}/statement"
    topups = await pages(client, url, kind="TOPUP", limit=2)
    assert [item["kind"] for item in topups] == ["TOPUP"] * 3 and topups[0]["source"] == "CASH"
    window = await pages(client, url, **{"from": z(T0 + timedelta(hours=2)), "to": z(T0 + timedelta(hours=4))})
    assert [item["version"] for item in window] == [5, 4, 3]  # both ends inclusive
    both = await pages(client, url, kind="PAYMENT", **{"from": z(T0 + timedelta(hours=3))})
    assert [item["version"] for item in both] == [7, 5]
    ist = await pages(client, url, **{"to": "2025-03-03T12:30:00+05:30"})  # 07:00 UTC
    assert [item["version"] for item in ist] == [2]


async def test_statement_etag_token_and_refusals(client: httpx.AsyncClient, project: Project) -> None:
    book = Book().open().top_up(rupees(100)).freeze()
    await project(book.stored())
    url = f"/v1/wallets/{book.wallet_id}/statement"
    answer = await client.get(url)
    assert [item["version"] for item in answer.json()["items"]] == [2]  # the opening and the freeze are markers
    assert (await client.get(url, headers={"If-None-Match": answer.headers["etag"]})).status_code == 304
    at_freeze = await client.get(url, headers={"X-Consistency-Token": f"{book.wallet_id}:3:1"})
    assert "x-consistency-timeout" not in at_freeze.headers  # the freeze's marker is there
    ahead = await client.get(url, headers={"X-Consistency-Token": f"{book.wallet_id}:4:1"})
    assert ahead.status_code == 200 and ahead.headers["x-consistency-timeout"] == "true"
    for query, field in [
        ({"kind": "SPEND"}, "kind"),
        ({"from": "2025-03-03T10:00:00"}, "from"),
        ({"to": "soon"}, "to"),
        ({"from": "2025-03-04T00:00:00Z", "to": "2025-03-03T00:00:00Z"}, "to"),
        ({"month": "2025-03"}, "month"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "!!"}, "cursor"),
    ]:
        refused = await client.get(url, params=query)
        assert refused.status_code == 422, (query, refused.text)
        problem = refused.json()
        assert refused.headers["content-type"] == "application/problem+json"
        assert problem.get("field", problem["errors"][0]["field"]) == field, (query, problem)
    bad_token = await client.get(url, headers={"X-Consistency-Token": "nonsense"})
    assert bad_token.status_code == 422 and bad_token.json()["field"] == "X-Consistency-Token"


async def test_statement_queries_run_on_their_indexes(wallet_db: Any) -> None:
    for filters in (StatementFilters(), StatementFilters(kind="TOPUP", start=T0)):
        query = build_query("wal-x", filters, None, 20)
        cursor = wallet_db[WALLET_STATEMENT].find(query.filter).sort("sort_key", -1)
        plan = await (cursor.hint(query.index) if query.hint else cursor).explain()  # as the service sends it
        assert "COLLSCAN" not in str(plan) and f"'indexName': '{query.index}'" in str(plan), filters
