"""The commerce context's single-document reads: an order, a product, a customer's summary.
Each honours ETag/If-None-Match and, given a consistency token or `min_version`, first waits
(bounded, coalesced with every other waiter) until its view has caught up. The order and
product reads are also plain reads (`PLAIN_READS`): the fast path answers them with the
same response functions when the request has nothing for FastAPI to parse.

Access: staff and service tokens need `orders:read` (orders, customers) or `catalog:read`
(products); a customer token reads its own orders and summary (another's is a 404) and any
product."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from query_service.api.consistency import TokenError, min_version_for, parse_token
from query_service.api.deps import DbDep, Reads, ReadsDep, ResolverDep, SettingsDep, WatcherDep
from query_service.api.http import CONDITION_PARAMETERS, Conditions, answer, conditions
from query_service.api.owners import OwnedDocument
from query_service.commerce.views import (
    CustomerSummaryView,
    OrderView,
    ProductView,
    get_order,
    get_product,
    get_summary,
)
from query_service.manifest import PlainRead
from query_service.reads import DocumentLoader
from shared.auth import ANY_CUSTOMER, OwnIdInPath, allow
from shared.commerce.read_models import CUSTOMER_SUMMARY, ORDER_VIEW, PRODUCT_VIEW
from shared.commerce.scopes import CATALOG_READ, ORDERS_READ
from shared.commerce.streams import ORDER, PRODUCT
from shared.streams import ID_PATTERN
from shared.web import invalid, problem

router = APIRouter(prefix="/v1")

# Products too: wider than `SKU_PATTERN`, so a key no SKU can be is an unknown product (404),
# as it has always been answered, not a 422.
Id = Annotated[str, Path(pattern=ID_PATTERN)]
# The routes answer with a ready Response (bytes, ETag); response_model only documents the body.
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
CONDITIONS_DOC: dict[str, Any] = {"parameters": CONDITION_PARAMETERS}
RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match named the current ETag"},
    404: {"description": "Not found", **_PROBLEM},
    422: {"description": "Invalid parameter, named in `field`", **_PROBLEM},
}
OWN_ORDER = [allow(ORDERS_READ, customers=OwnedDocument(ORDER_VIEW, "order_id"))]
OWN_CUSTOMER = [allow(ORDERS_READ, customers=OwnIdInPath("customer_id"))]
CATALOG = [allow(CATALOG_READ, customers=ANY_CUSTOMER)]


def _answer(
    view: OrderView | ProductView | CustomerSummaryView | None, what: str, timed_out: bool, if_none_match: str | None
) -> Response:
    if view is None:
        return problem(404, "Not found", f"{what} not found")
    return answer(view.model_dump_json(by_alias=True).encode(), f'"{view.version}"', timed_out, if_none_match)


@router.get(
    "/orders/{order_id}",
    response_model=OrderView,
    responses=RESPONSES,
    openapi_extra=CONDITIONS_DOC,
    dependencies=OWN_ORDER,
)
async def read_order(request: Request, order_id: Id, reads: ReadsDep) -> Response:
    if isinstance(given := conditions(request), Response):
        return given
    return await order_response(reads, order_id, given)


@router.get(
    "/products/{sku}",
    response_model=ProductView,
    responses=RESPONSES,
    openapi_extra=CONDITIONS_DOC,
    dependencies=CATALOG,
)
async def read_product(request: Request, sku: Id, reads: ReadsDep) -> Response:
    if isinstance(given := conditions(request), Response):
        return given
    return await product_response(reads, sku, given)


async def order_response(reads: Reads, order_id: str, given: Conditions) -> Response:
    """GET /v1/orders/{order_id} once its inputs are parsed (the route's, and `api.fast.FastReads`')."""
    return await _single(reads, given, ORDER_VIEW, order_id, ORDER.stream_id(order_id), f"order {order_id}", get_order)


async def product_response(reads: Reads, sku: str, given: Conditions) -> Response:
    """GET /v1/products/{sku} once its inputs are parsed (the route's, and `api.fast.FastReads`')."""
    return await _single(reads, given, PRODUCT_VIEW, sku, PRODUCT.stream_id(sku), f"product {sku}", get_product)


# Path prefix -> the plain read the fast path answers under it (keys as the routes' `Id`).
PLAIN_READS: dict[str, PlainRead] = {
    "/v1/orders/": PlainRead("/v1/orders/{order_id}", order_response, ID_PATTERN),
    "/v1/products/": PlainRead("/v1/products/{sku}", product_response, ID_PATTERN),
}


async def _single(
    reads: Reads,
    given: Conditions,
    read_model: str,
    doc_id: str,
    stream_id: str,
    what: str,
    load: Callable[[DocumentLoader, str], Awaitable[OrderView | ProductView | None]],
) -> Response:
    """A document of a view fed by one stream: wait (bounded) for the version asked, then answer."""
    try:
        wanted = min_version_for(stream_id, given.token, given.min_version)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(read_model, doc_id, wanted, reads.wait_seconds)
    return _answer(await load(reads.loader, doc_id), what, timed_out, given.if_none_match)


@router.get(
    "/customers/{customer_id}/summary",
    response_model=CustomerSummaryView,
    responses=RESPONSES,
    openapi_extra=CONDITIONS_DOC,
    dependencies=OWN_CUSTOMER,
)
async def read_customer_summary(
    request: Request,
    customer_id: Id,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    watcher: WatcherDep,
) -> Response:
    """With a token from a command on one of the customer's orders, waits until the
    summary has applied that order's stream up to the token's version."""
    if isinstance(given := conditions(request), Response):
        return given
    try:
        stream, version = parse_token(given.token) if given.token else (None, 0)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    wait = settings.consistency_wait_seconds
    caught_up = True
    if given.min_version:
        caught_up = await watcher.wait(CUSTOMER_SUMMARY, customer_id, given.min_version, wait)
    if stream and caught_up:
        caught_up = await watcher.wait(CUSTOMER_SUMMARY, customer_id, version, wait, field=f"_applied.{stream}")
    view, _ = await get_summary(db, resolver, customer_id)
    return _answer(view, f"summary of customer {customer_id}", not caught_up, given.if_none_match)
