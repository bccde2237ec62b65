"""The commerce context's list reads: a customer's orders, order search, products. Each takes
the generic paging inputs (`api.pages.PageDep`: cursor, limit capped at MAX_LIMIT, the
consistency token, If-None-Match) plus its own strict filters (unknown or malformed → 422),
and names the read model that a token's order or product is waited for in. A customer token
lists its own orders and any products; searching all orders is for staff (`orders:read`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BeforeValidator

from query_service.api.http import unknown_params
from query_service.api.pages import PAGE_QUERY, PageDep
from query_service.commerce.views import SearchFilters, list_customer_orders, list_products, search_orders
from query_service.reads import params
from shared.auth import ANY_CUSTOMER, OwnIdInPath, allow
from shared.commerce.events import PaymentMethod
from shared.commerce.read_models import CUSTOMER_ORDERS, ORDER_SEARCH, PRODUCT_VIEW
from shared.commerce.scopes import CATALOG_READ, ORDERS_READ
from shared.commerce.streams import ORDER, PRODUCT, OrderStatus
from shared.streams import ID_PATTERN
from shared.web import invalid

router = APIRouter(prefix="/v1")

if TYPE_CHECKING:
    Status = str
    Method = str
else:  # Literals (not the enums) as before: the same 422 ("literal_error") for an unknown value
    Status = Literal[tuple(status.value for status in OrderStatus)]
    Method = Literal[tuple(method.value for method in PaymentMethod)]


def _rfc3339(raw: object) -> object:
    """An RFC 3339 date-time with its offset, as the document's `format: date-time` and every
    other list's moments: not pydantic's wider reading (a number of seconds, no offset)."""
    if not isinstance(raw, str):
        return raw
    try:
        return params.moment("", raw)
    except params.InputError as exc:
        raise ValueError(exc.message) from None


Moment = Annotated[datetime | None, BeforeValidator(_rfc3339), Query()]
Paise = Annotated[int | None, Query(ge=0, le=10**15)]
Id = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get("/customers/{customer_id}/orders", dependencies=[allow(ORDERS_READ, customers=OwnIdInPath("customer_id"))])
async def customer_orders(
    request: Request,
    customer_id: Id,
    page: PageDep,
    status: Status | None = None,
    placed_from: Moment = None,
    placed_to: Moment = None,
) -> Response:
    """Newest first; the cursor is a position in that order, so orders placed after
    the first page was read never shift the pages that follow."""
    if (bad := unknown_params(request, {"status", "placed_from", "placed_to", *PAGE_QUERY})) is not None:
        return bad
    return await page.answer(
        lambda db, resolver: list_customer_orders(
            db,
            resolver,
            customer_id,
            status=status,
            placed_from=placed_from,
            placed_to=placed_to,
            limit=page.limit,
            cursor=page.cursor,
        ),
        {ORDER.name: CUSTOMER_ORDERS},
    )


@router.get("/orders", dependencies=[allow(ORDERS_READ)])
async def search(
    request: Request,
    page: PageDep,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    status: Status | None = None,
    city: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
    pincode: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{5}$")] = None,
    payment_method: Method | None = None,
    min_total: Paise = None,
    max_total: Paise = None,
    placed_from: Moment = None,
    placed_to: Moment = None,
) -> Response:
    filters = SearchFilters(q, status, city, pincode, payment_method, min_total, max_total, placed_from, placed_to)
    if (bad := unknown_params(request, {*SearchFilters.__dataclass_fields__, *PAGE_QUERY})) is not None:
        return bad
    if min_total is not None and max_total is not None and min_total > max_total:
        return invalid("max_total", "must not be below min_total")
    return await page.answer(
        lambda db, resolver: search_orders(db, resolver, filters, limit=page.limit, cursor=page.cursor),
        {ORDER.name: ORDER_SEARCH},
    )


@router.get("/products", dependencies=[allow(CATALOG_READ, customers=ANY_CUSTOMER)])
async def products(
    request: Request,
    page: PageDep,
    category: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    in_stock: bool | None = None,
) -> Response:
    if (bad := unknown_params(request, {"category", "in_stock", *PAGE_QUERY})) is not None:
        return bad
    return await page.answer(
        lambda db, resolver: list_products(
            db, resolver, category=category, in_stock=in_stock, limit=page.limit, cursor=page.cursor
        ),
        {PRODUCT.name: PRODUCT_VIEW},
    )
