"""The order read models and query routes against the real MongoDB stand-in:
projections applied by the runner, the query app driven over HTTP (in process),
and `explain` showing that the common queries run on an index."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient

from projector_service.engine.apply import apply_batch
from projector_service.registry import default_registry
from query_service.api import build_app
from query_service.commerce.views.search import SearchFilters, build_query
from query_service.reads import DocumentLoader
from query_service.reads.loader import BATCH_IDS
from query_service.settings import Settings
from shared.commerce.events import (
    Address,
    OrderCancelled,
    OrderConfirmed,
    OrderLine,
    OrderPlaced,
    PaymentMethod,
    ProductCreated,
    StockReserved,
)
from shared.commerce.read_models import ORDER_SEARCH
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.read_models import CollectionResolver
from tests.support import auth
from tests.support.infra import Infra, unique
from tests.support.views import stored

PROJECTOR = default_registry()
PROJECTIONS, INDEXES = PROJECTOR.projections, PROJECTOR.indexes

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 1, tzinfo=UTC)
CITIES = [("Pune", "411001"), ("Bengaluru", "560001"), ("Kolkata", "700016")]
METHODS = [PaymentMethod.UPI, PaymentMethod.COD, PaymentMethod.CARD]
_positions = itertools.count(1000)


def order(n: int, customer: str = "cust-a", placed_at: datetime | None = None) -> list[EventEnvelope]:
    city, pincode = CITIES[n % 3]
    line = OrderLine(
        sku=f"SKU-{n % 4}",
        name=["Redmi Note 13", "Tata Tea Gold", "Boat Airdopes", "Parle G"][n % 4],
        category=["electronics", "grocery", "electronics", "grocery"][n % 4],
        quantity=1,
        unit_price_paise=1000 * (n + 1),
        line_total_paise=1000 * (n + 1),
        gst_rate_percent=0,
        gst_paise=0,
    )
    order_id = f"ord-{n:04d}{unique()}"
    placed = OrderPlaced(
        order_id=order_id,
        customer_id=customer,
        items=(line,),
        shipping_address=Address(name="A", line1="l", city=city, state="S", pincode=pincode),
        payment_method=METHODS[n % 3],
        subtotal_paise=line.line_total_paise,
        gst_paise=0,
        total_paise=line.line_total_paise,
        placed_at=placed_at or T0 + timedelta(hours=n),
    )
    events: list[DomainEvent] = [placed]
    if n % 5 == 0:
        events.append(
            OrderCancelled(
                order_id=order_id, customer_id=customer, reason="r", cancelled_at=placed.placed_at, refund_due_paise=0
            )
        )
    elif n % 2 == 0:
        events.append(OrderConfirmed(order_id=order_id, customer_id=customer, confirmed_at=placed.placed_at))
    return stored(order_id, "order", events, first_position=next(_positions) * 10)


async def project(db: Any, events: list[EventEnvelope], only: str | None = None) -> None:
    for projection in PROJECTIONS.values():
        if only in (None, projection.name):
            await apply_batch(db[projection.collection], projection, events)


@pytest.fixture(scope="module")
async def db(infra: Infra) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    name = unique("orders_q_")
    database = client[name]
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(indexes)
    products = stored(
        "product-TEA",
        "product",
        [
            ProductCreated(sku="TEA", name="Tea", category="grocery", price_paise=100, stock=2),
            StockReserved(sku="TEA", order_id="o", quantity=2),
        ],
    ) + stored(
        "product-PHONE",
        "product",
        [ProductCreated(sku="PHONE", name="P", category="electronics", price_paise=9, stock=3)],
    )
    await project(database, [e for n in range(30) for e in order(n)] + products)
    yield database
    await client.drop_database(name)
    await client.close()


@asynccontextmanager
async def query_client(db: Any, *, fast_reads: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(lifespan=None, ready=lambda: None, auth=auth.authenticator(), fast_reads=fast_reads)  # type: ignore[arg-type, return-value]
    app.state.db = db
    app.state.resolver = CollectionResolver(db)
    app.state.settings = Settings(consistency_wait_seconds=0.3)
    app.state.loader = DocumentLoader(db, app.state.resolver)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://q", headers=auth.STAFF) as c:
        yield c


@pytest.fixture
async def client(db: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with query_client(db) as c:
        yield c


async def test_customer_orders_newest_first_and_stable_under_concurrent_inserts(
    client: httpx.AsyncClient, db: Any
) -> None:
    await project(db, [e for n in range(200, 220) for e in order(n, "cust-b")], only="customer_orders")
    url = "/v1/customers/cust-b/orders"
    first = (await client.get(url, params={"limit": 7})).json()
    placed = [item["placed_at"] for item in first["items"]]
    assert len(placed) == 7 and placed == sorted(placed, reverse=True)
    newer = [e for n in range(300, 303) for e in order(n, "cust-b", T0 + timedelta(days=60 + n))]
    await project(db, newer, only="customer_orders")
    seen = [item["order_id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (await client.get(url, params={"limit": 7, "cursor": cursor})).json()
        seen += [item["order_id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 20  # no skip, no repeat; the newer orders are on a fresh first page
    newest = (await client.get(url, params={"limit": 3})).json()["items"]
    assert all(item["order_id"].startswith("ord-03") for item in newest)


async def test_customer_orders_filters(client: httpx.AsyncClient) -> None:
    cancelled = (await client.get("/v1/customers/cust-a/orders", params={"status": "CANCELLED", "limit": 100})).json()
    assert {item["status"] for item in cancelled["items"]} == {"CANCELLED"} and len(cancelled["items"]) == 6
    window = {"placed_from": "2026-11-01T05:00:00Z", "placed_to": "2026-11-01T09:00:00Z"}
    timed = (await client.get("/v1/customers/cust-a/orders", params=window)).json()["items"]
    assert [item["order_id"][:8] for item in timed] == [f"ord-{n:04d}" for n in (9, 8, 7, 6, 5)]


async def test_search_by_q_and_filters(client: httpx.AsyncClient) -> None:
    async def ids(**params: object) -> list[str]:
        response = await client.get("/v1/orders", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return [item["order_id"][:8] for item in response.json()["items"]]

    assert len(await ids(q="CUST-A")) == 30
    assert await ids(q="ord-0007") == ["ord-0007"]
    full = next(i["order_id"] for i in (await client.get("/v1/orders", params={"q": "ord-0007"})).json()["items"])
    for n in range(6, len(full) + 1):  # every prefix: stored as a token (6, 9, 12, all) or checked on id_key
        found = (await client.get("/v1/orders", params={"q": full[:n].upper(), "limit": 100})).json()["items"]
        assert full in {i["order_id"] for i in found} and all(i["order_id"].startswith(full[:n]) for i in found), n
    assert set(await ids(q="sku-1")) == {f"ord-{n:04d}" for n in range(1, 30, 4)}
    assert set(await ids(q="tea gold")) == set(await ids(q="sku-1"))
    assert await ids(q="airdopes", city="PUNE") == ["ord-0018", "ord-0006"]  # n % 4 == 2 and n % 3 == 0
    assert set(await ids(pincode="700016", status="CANCELLED")) == {"ord-0005", "ord-0020"}
    assert set(await ids(payment_method="COD", min_total=20000, max_total=26000)) == {
        "ord-0019",
        "ord-0022",
        "ord-0025",
    }
    page = (await client.get("/v1/orders", params={"q": "cust-a", "limit": 4})).json()
    rest = (await client.get("/v1/orders", params={"q": "cust-a", "limit": 4, "cursor": page["next_cursor"]})).json()
    assert "sort_key" not in page["items"][0]
    assert page["items"][0]["city"] in {"Pune", "Bengaluru", "Kolkata"}
    assert not {i["order_id"] for i in page["items"]} & {i["order_id"] for i in rest["items"]}


async def test_product_list_by_category_and_stock(client: httpx.AsyncClient) -> None:
    out = (await client.get("/v1/products", params={"in_stock": "false"})).json()["items"]
    assert [p["sku"] for p in out] == ["TEA"] and out[0]["available"] == 0
    grocery = (await client.get("/v1/products", params={"category": "electronics", "in_stock": "true"})).json()
    assert [p["sku"] for p in grocery["items"]] == ["PHONE"]
    one = (await client.get("/v1/products", params={"limit": 1})).json()
    two = (await client.get("/v1/products", params={"limit": 1, "cursor": one["next_cursor"]})).json()
    assert [p["sku"] for p in one["items"] + two["items"]] == ["PHONE", "TEA"]


ORDER_FIELDS = [
    "order_id",
    "customer_id",
    "client_order_id",
    "status",
    "items",
    "subtotal_paise",
    "gst_paise",
    "total_paise",
    "payment_method",
    "payment",
    "shipping_address",
    "shipment",
    "returnable_until",
    "cancellation",
    "return",
    "refund_due_paise",
    "placed_at",
    "updated_at",
    "timeline",
    "version",
]


def _batches() -> tuple[float, float]:
    sample = {s.name: s.value for m in BATCH_IDS.collect() for s in m.samples if s.labels["read_model"] == "order_view"}
    return sample.get("bahi_query_read_batch_ids_sum", 0.0), sample.get("bahi_query_read_batch_ids_count", 0.0)


async def test_concurrent_order_reads_share_queries_and_each_answers_its_own_order(
    client: httpx.AsyncClient, db: Any
) -> None:
    stored = {doc["_id"]: doc async for doc in db["order_view"].find({"customer_id": "cust-a"}).limit(30)}
    wanted = [*stored, *list(stored)[:5], "ord-missing"]
    ids_before, queries_before = _batches()
    responses = await asyncio.gather(*(client.get(f"/v1/orders/{order_id}") for order_id in wanted))
    ids_sent, queries = _batches()[0] - ids_before, _batches()[1] - queries_before
    assert queries < len(wanted) and ids_sent >= len(set(wanted))  # coalesced: fewer queries than reads
    for order_id, response in zip(wanted[:-1], responses[:-1], strict=True):
        body = response.json()
        assert response.status_code == 200 and list(body) == ORDER_FIELDS
        assert body["order_id"] == order_id and body["version"] == stored[order_id]["version"]
        assert (
            body["status"] == stored[order_id]["status"]
            and body["items"][0]["sku"] == stored[order_id]["items"][0]["sku"]
        )
        assert response.headers["ETag"] == f'"{stored[order_id]["version"]}"'
    missing = responses[-1]
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "order ord-missing not found"
    again = await client.get(f"/v1/orders/{wanted[0]}", headers={"If-None-Match": responses[0].headers["ETag"]})
    assert again.status_code == 304 and not again.content


async def test_an_order_read_after_a_write_shows_the_write(client: httpx.AsyncClient, db: Any) -> None:
    events = order(7790, "cust-r")
    order_id = events[0].stream_id
    await project(db, events[:1], only="order_view")
    first = await asyncio.gather(*(client.get(f"/v1/orders/{order_id}") for _ in range(10)))
    assert {r.json()["version"] for r in first} == {1}
    await project(db, events, only="order_view")
    after = await asyncio.gather(*(client.get(f"/v1/orders/{order_id}") for _ in range(10)))
    assert {r.json()["version"] for r in after} == {len(events)}


async def test_plain_order_and_product_reads_answer_as_the_fastapi_routes_do(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`api.fast.FastReads` answers plain single-document reads without FastAPI's machinery:
    every answer (status, headers, body) equals the route's, and metrics count it alike."""
    events = order(7800, "cust-f")
    order_id = events[0].stream_id
    await project(db, events, only="order_view")
    version = len(events)
    requests: list[tuple[str, dict[str, str]]] = [
        (f"/v1/orders/{order_id}", {}),
        (f"/v1/orders/{order_id}", {"If-None-Match": f'"{version}"'}),
        (f"/v1/orders/{order_id}", {"If-None-Match": '"1", *'}),
        (f"/v1/orders/{order_id}", {"If-None-Match": '"1"'}),
        (f"/v1/orders/{order_id}", {"X-Consistency-Token": f"{order_id}:{version}:99"}),
        (f"/v1/orders/{order_id}", {"X-Consistency-Token": f"{order_id}:{version + 1}:99"}),  # times out
        (f"/v1/orders/{order_id}", {"X-Consistency-Token": f"ord-other:{version + 5}:99"}),  # another stream
        (f"/v1/orders/{order_id}", {"X-Consistency-Token": "not a token"}),
        (f"/v1/orders/{order_id}?min_version=1", {}),  # a query string: FastAPI's route
        ("/v1/orders/ord-missing", {}),
        ("/v1/orders/-bad-id", {}),  # refused by the route's pattern: FastAPI's 422
        ("/v1/orders/", {}),
        ("/v1/products/TEA", {}),
        ("/v1/products/TEA", {"If-None-Match": '"2"'}),
        ("/v1/products/TEA", {"X-Consistency-Token": "product-TEA:9:9"}),
        ("/v1/products/NOPE", {}),
    ]
    compared = ("content-type", "etag", "cache-control", "x-consistency-timeout", "content-length")
    async with query_client(db) as fast, query_client(db, fast_reads=False) as routed:
        for path, headers in requests:
            got, want = await fast.get(path, headers=headers), await routed.get(path, headers=headers)
            assert got.status_code == want.status_code, (path, headers, got.text, want.text)
            assert got.content == want.content, (path, headers)
            assert {h: got.headers.get(h) for h in compared} == {h: want.headers.get(h) for h in compared}
        assert (await fast.get(f"/v1/orders/{order_id}")).json()["version"] == version

        def served(route: str, status: str) -> float:
            labels = {"service": "query", "route": route, "status": status}
            return REGISTRY.get_sample_value("bahi_http_requests_total", labels) or 0.0

        before = served("/v1/orders/{order_id}", "200"), served("/v1/products/{sku}", "404")
        await fast.get(f"/v1/orders/{order_id}")
        await fast.get("/v1/products/NOPE")
        after = served("/v1/orders/{order_id}", "200"), served("/v1/products/{sku}", "404")
        assert (after[0] - before[0], after[1] - before[1]) == (1.0, 1.0)

        # Plain reads never reach the FastAPI routes (whose input parsing now fails); others do.
        def broken(_: object) -> None:
            raise RuntimeError("the FastAPI route ran")

        monkeypatch.setattr("query_service.commerce.routes.conditions", broken)
        assert (await fast.get(f"/v1/orders/{order_id}")).status_code == 200
        assert (await fast.get("/v1/products/TEA")).status_code == 200
        with pytest.raises(RuntimeError, match="the FastAPI route ran"):
            await fast.get(f"/v1/orders/{order_id}?min_version=1")


async def test_lists_write_times_as_the_single_reads_do(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/v1/customers/cust-a/orders", params={"limit": 3})).json()["items"]
    searched = {i["order_id"]: i for i in (await client.get("/v1/orders", params={"q": "cust-a"})).json()["items"]}
    for item in listed:
        view = (await client.get(f"/v1/orders/{item['order_id']}")).json()
        assert item["placed_at"] == searched[item["order_id"]]["placed_at"] == view["placed_at"]
        assert view["placed_at"].endswith("Z")


async def test_summary_and_etag(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/customers/cust-a/summary")
    body = response.json()
    assert body["order_count"] >= 30 and body["counts_by_status"]["CANCELLED"] == 6
    assert "_orders" not in body and "_applied" not in body
    again = await client.get("/v1/customers/cust-a/summary", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    listed = await client.get("/v1/orders", params={"status": "CONFIRMED"})
    cached = await client.get(
        "/v1/orders", params={"status": "CONFIRMED"}, headers={"If-None-Match": listed.headers["ETag"]}
    )
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/orders", {"colour": "red"}, "colour"),
        ("/v1/orders", {"status": "LOST"}, "status"),
        ("/v1/orders", {"pincode": "12"}, "pincode"),
        ("/v1/orders", {"min_total": "ten"}, "min_total"),
        ("/v1/orders", {"min_total": "10", "max_total": "5"}, "max_total"),
        ("/v1/orders", {"placed_from": "yesterday"}, "placed_from"),
        ("/v1/orders", {"limit": "0"}, "limit"),
        ("/v1/orders", {"cursor": "!!"}, "cursor"),
        ("/v1/orders", {"cursor": "A"}, "cursor"),
        ("/v1/customers/cust-a/orders", {"q": "x"}, "q"),
        ("/v1/products", {"in_stock": "maybe"}, "in_stock"),
        ("/v1/orders/ord-1", {"min_version": "-1"}, "min_version"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_limits_are_capped(client: httpx.AsyncClient, db: Any) -> None:
    await project(db, [e for n in range(400, 520) for e in order(n, "cust-c")], only="customer_orders")
    response = await client.get("/v1/customers/cust-c/orders", params={"limit": 100000})
    assert response.status_code == 200 and len(response.json()["items"]) == 100
    assert response.json()["next_cursor"]


async def test_a_token_for_a_view_not_there_yet_times_out_and_says_so(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/orders", headers={"X-Consistency-Token": "ord-missing:3:99"})
    assert response.status_code == 200 and response.headers["X-Consistency-Timeout"] == "true"
    bad = await client.get("/v1/orders", headers={"X-Consistency-Token": "garbage"})
    assert bad.status_code == 422 and bad.json()["field"] == "X-Consistency-Token"


def _plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stage of the winning plan's tree (a merge of index scans has `inputStages`)."""
    stages: list[dict[str, Any]] = []
    pending = [plan["queryPlanner"]["winningPlan"]]
    while pending:
        stage = pending.pop()
        stages.append(stage)
        pending.extend([stage["inputStage"]] if "inputStage" in stage else stage.get("inputStages", []))
    return stages


def _stages(plan: dict[str, Any]) -> list[str]:
    return [stage["stage"] for stage in _plan(plan)]


def _scanned(plan: dict[str, Any]) -> set[str]:
    """The indexes the plan scans."""
    return {stage["indexName"] for stage in _plan(plan) if stage["stage"] == "IXSCAN"}


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(q="redmi"),
        SearchFilters(q="redmi note", status="CONFIRMED"),
        SearchFilters(q="ord-0007ab"),  # an order-id prefix between the stored ones
        SearchFilters(q="ord-00 redmi"),
        SearchFilters(status="CONFIRMED"),
        SearchFilters(city="Pune", payment_method="UPI"),
        SearchFilters(pincode="560001"),
        SearchFilters(payment_method="COD"),
        SearchFilters(min_total=5000, max_total=9000),
        SearchFilters(placed_from=T0, placed_to=T0 + timedelta(days=1)),
        SearchFilters(),
    ],
    ids=lambda f: ",".join(k for k, v in vars(f).items() if v is not None) or "none",
)
async def test_common_searches_run_on_an_index(db: Any, filters: SearchFilters) -> None:
    """As the query service sends them: hinted only when a range alone leads, otherwise the
    planner must pick the index the query is meant for by itself."""
    query = build_query(filters, None, 20)
    cursor = db[ORDER_SEARCH].find(query.filter).sort(query.sort_field, -1).limit(21)
    plan = await (cursor.hint(query.index) if query.hint else cursor).explain()
    assert "COLLSCAN" not in _stages(plan) and _scanned(plan) == {query.index}, _plan(plan)


async def test_customer_orders_run_on_an_index(db: Any) -> None:
    for query, index in (
        ({"customer_id": "cust-a"}, "by_customer"),
        ({"customer_id": "cust-a", "status": "CONFIRMED"}, "by_customer_status"),
    ):
        plan = await db["customer_orders"].find(query).sort("sort_key", -1).limit(21).explain()  # unhinted, as sent
        assert "COLLSCAN" not in _stages(plan) and _scanned(plan) == {index}, _plan(plan)


async def test_a_missing_index_slows_a_query_but_does_not_break_it(db: Any) -> None:
    """A freshly rebuilt collection may not have its indexes yet."""
    bare = db.client[db.name + "_bare"]
    try:
        await project(bare, order(1) + order(2))
        app = build_app(lifespan=None, ready=lambda: None, auth=auth.authenticator())  # type: ignore[arg-type, return-value]
        app.state.db, app.state.resolver, app.state.settings = bare, CollectionResolver(bare), Settings()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://q", headers=auth.STAFF) as c:
            response = await c.get("/v1/orders", params={"status": "PENDING_PAYMENT"})
        assert response.status_code == 200 and len(response.json()["items"]) == 1
    finally:
        await db.client.drop_database(bare.name)


async def test_waiters_are_released_when_the_view_catches_up_and_only_then(db: Any) -> None:
    from query_service.reads import VersionWatcher

    watcher = VersionWatcher(db, CollectionResolver(db))
    events = order(7776, "cust-w")  # placed and confirmed: two events
    order_id = events[0].stream_id
    await project(db, events[:1], only="order_view")
    waits = [asyncio.create_task(watcher.wait("order_view", order_id, len(events), 5.0)) for _ in range(50)]
    never = asyncio.create_task(watcher.wait("order_view", order_id, 99, 0.3))
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in waits)  # still at version 1
    await project(db, events, only="order_view")
    assert all(await asyncio.gather(*waits))
    assert await never is False
    summary = order(7778, "cust-w")
    await project(db, summary, only="customer_summary")
    field = f"_applied.{summary[0].stream_id}"
    assert await watcher.wait("customer_summary", "cust-w", len(summary), 2.0, field=field)
