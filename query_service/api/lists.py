"""List reads: a customer's orders, order search, products. Cursor pagination
(limit capped at MAX_LIMIT), strict parameters (unknown or malformed → 422), a
content ETag, and a bounded wait for a consistency token's order or product."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import AfterValidator

from query_service.api.consistency import TokenError, parse_token
from query_service.api.deps import DbDep, ResolverDep, SettingsDep, WatcherDep
from query_service.api.http import answer_page, invalid, unknown_params
from query_service.settings import Settings
from query_service.views import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorError,
    Page,
    SearchFilters,
    list_customer_orders,
    list_products,
    search_orders,
)
from query_service.views.watch import VersionWatcher
from shared.commerce.read_models import CUSTOMER_ORDERS, ORDER_SEARCH, PRODUCT_VIEW

router = APIRouter(prefix="/v1")

Status = Literal[
    "PENDING_PAYMENT",
    "PAYMENT_FAILED",
    "CONFIRMED",
    "SHIPPED",
    "DELIVERED",
    "CANCELLED",
    "RETURN_REQUESTED",
    "RETURNED",
]
Method = Literal["UPI", "CARD", "NETBANKING", "COD", "WALLET"]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


Moment = Annotated[datetime | None, AfterValidator(lambda m: _utc(m) if m else m), Query()]
Limit = Annotated[int, Query(ge=1, description=f"page size; more than {MAX_LIMIT} is capped to {MAX_LIMIT}")]
Cursor = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,400}$")]
Paise = Annotated[int | None, Query(ge=0, le=10**15)]
TokenHeader = Annotated[str | None, Header(alias="X-Consistency-Token")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]
Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


async def _await_token(
    watcher: VersionWatcher, settings: Settings, token: str | None, collections: dict[str, str]
) -> bool:
    """Wait until the document of the token's stream is at its version (True if that
    timed out): `collections` maps a stream-id prefix to the read model holding it."""
    if not token:
        return False
    stream, version = parse_token(token)
    for prefix, name in collections.items():
        if stream.startswith(prefix):
            doc_id = stream.removeprefix("product-") if name == PRODUCT_VIEW else stream
            return not await watcher.wait(name, doc_id, version, settings.consistency_wait_seconds)
    return False


async def _page(
    load: Callable[[], Awaitable[Page]], wait: Callable[[], Awaitable[bool]], if_none_match: str | None
) -> Response:
    try:
        timed_out = await wait()
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    try:
        page = await load()
    except CursorError as exc:
        return invalid("cursor", str(exc))
    return answer_page(page, timed_out, if_none_match)


@router.get("/customers/{customer_id}/orders")
async def customer_orders(
    request: Request,
    customer_id: Id,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    watcher: WatcherDep,
    status: Status | None = None,
    placed_from: Moment = None,
    placed_to: Moment = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Newest first; the cursor is a position in that order, so orders placed after
    the first page was read never shift the pages that follow."""
    if (bad := unknown_params(request, {"status", "placed_from", "placed_to", "limit", "cursor"})) is not None:
        return bad
    return await _page(
        lambda: list_customer_orders(
            db,
            resolver,
            customer_id,
            status=status,
            placed_from=placed_from,
            placed_to=placed_to,
            limit=min(limit, MAX_LIMIT),
            cursor=cursor,
        ),
        lambda: _await_token(watcher, settings, token, {"ord-": CUSTOMER_ORDERS}),
        if_none_match,
    )


@router.get("/orders")
async def search(
    request: Request,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    watcher: WatcherDep,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    status: Status | None = None,
    city: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
    pincode: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{5}$")] = None,
    payment_method: Method | None = None,
    min_total: Paise = None,
    max_total: Paise = None,
    placed_from: Moment = None,
    placed_to: Moment = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = SearchFilters(q, status, city, pincode, payment_method, min_total, max_total, placed_from, placed_to)
    if (bad := unknown_params(request, {*SearchFilters.__dataclass_fields__, "limit", "cursor"})) is not None:
        return bad
    if min_total is not None and max_total is not None and min_total > max_total:
        return invalid("max_total", "must not be below min_total")
    return await _page(
        lambda: search_orders(db, resolver, filters, limit=min(limit, MAX_LIMIT), cursor=cursor),
        lambda: _await_token(watcher, settings, token, {"ord-": ORDER_SEARCH}),
        if_none_match,
    )


@router.get("/products")
async def products(
    request: Request,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    watcher: WatcherDep,
    category: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    in_stock: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if (bad := unknown_params(request, {"category", "in_stock", "limit", "cursor"})) is not None:
        return bad
    return await _page(
        lambda: list_products(
            db, resolver, category=category, in_stock=in_stock, limit=min(limit, MAX_LIMIT), cursor=cursor
        ),
        lambda: _await_token(watcher, settings, token, {"product-": PRODUCT_VIEW}),
        if_none_match,
    )
