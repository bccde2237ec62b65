"""Single-document reads: an order, a product, a customer's summary. Each honours
ETag/If-None-Match and waits (bounded) for a consistency token or `min_version`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from query_service.api.consistency import TokenError, min_version_for, parse_token, read_at_least, wait_until
from query_service.api.deps import DbDep, ResolverDep, SettingsDep
from query_service.api.http import answer, invalid, unknown_params
from query_service.views import get_order, get_product, get_summary
from shared.web import problem

router = APIRouter(prefix="/v1")

TokenHeader = Annotated[str | None, Header(alias="X-Consistency-Token")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]
MinVersion = Annotated[int | None, Query(ge=1, le=2**62)]
Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


def _answer(view: BaseModel | None, what: str, timed_out: bool, if_none_match: str | None) -> Response:
    if view is None:
        return problem(404, "Not found", f"{what} not found")
    version = view.model_dump(include={"version"})["version"]
    return answer(view.model_dump_json(by_alias=True).encode(), f'"{version}"', timed_out, if_none_match)


@router.get("/orders/{order_id}")
async def read_order(
    request: Request,
    order_id: Id,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    min_version: MinVersion = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if (bad := unknown_params(request, {"min_version"})) is not None:
        return bad
    try:
        wanted = min_version_for(order_id, token, min_version)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    view, timed_out = await read_at_least(
        lambda: get_order(db, resolver, order_id), wanted, settings.consistency_wait_seconds
    )
    return _answer(view, f"order {order_id}", timed_out, if_none_match)


@router.get("/products/{sku}")
async def read_product(
    request: Request,
    sku: Id,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    min_version: MinVersion = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if (bad := unknown_params(request, {"min_version"})) is not None:
        return bad
    try:
        wanted = min_version_for(f"product-{sku}", token, min_version)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    view, timed_out = await read_at_least(
        lambda: get_product(db, resolver, sku), wanted, settings.consistency_wait_seconds
    )
    return _answer(view, f"product {sku}", timed_out, if_none_match)


@router.get("/customers/{customer_id}/summary")
async def read_customer_summary(
    request: Request,
    customer_id: Id,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    min_version: MinVersion = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """With a token from a command on one of the customer's orders, waits until the
    summary has applied that order's stream up to the token's version."""
    if (bad := unknown_params(request, {"min_version"})) is not None:
        return bad
    try:
        stream, version = parse_token(token) if token else (None, 0)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    found = await get_summary(db, resolver, customer_id)

    def satisfied() -> bool:
        view, applied = found
        if view is None or view.version < (min_version or 0):
            return False
        return stream is None or applied.get(stream, 0) >= version

    async def caught_up() -> bool:
        nonlocal found
        if satisfied():
            return True
        found = await get_summary(db, resolver, customer_id)
        return satisfied()

    timed_out = False
    if stream or min_version:
        timed_out = await wait_until(caught_up, settings.consistency_wait_seconds)
    return _answer(found[0], f"summary of customer {customer_id}", timed_out, if_none_match)
