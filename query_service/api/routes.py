"""Query routes: read a view, honour ETag/If-None-Match and the consistency token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from query_service.api.consistency import min_version_for, read_at_least
from query_service.api.deps import DbDep, ResolverDep, SettingsDep
from query_service.views import get_order, get_product
from shared.web import problem

router = APIRouter(prefix="/v1")

TokenHeader = Annotated[str | None, Header(alias="X-Consistency-Token")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]
MinVersion = Annotated[int | None, Query(ge=1, le=2**62)]


def _unknown_params(request: Request, allowed: set[str]) -> JSONResponse | None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        return problem(
            422,
            "Invalid request",
            f"{unknown[0]}: unknown query parameter",
            field=unknown[0],
            type_="https://bahi.dev/problems/validation",
        )
    return None


def _answer(view: BaseModel | None, what: str, timed_out: bool, if_none_match: str | None) -> Response:
    if view is None:
        return problem(404, "Not found", f"{what} not found")
    etag = f'"{view.model_dump(include={"version"})["version"]}"'
    headers = {"ETag": etag}
    if timed_out:
        headers["X-Consistency-Timeout"] = "true"
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(view.model_dump_json(), media_type="application/json", headers=headers)


@router.get("/orders/{order_id}")
async def read_order(
    request: Request,
    order_id: str,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    min_version: MinVersion = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if (bad := _unknown_params(request, {"min_version"})) is not None:
        return bad
    wanted = min_version_for(order_id, token, min_version)
    view, timed_out = await read_at_least(
        lambda: get_order(db, resolver, order_id), wanted, settings.consistency_wait_seconds
    )
    return _answer(view, f"order {order_id}", timed_out, if_none_match)


@router.get("/products/{sku}")
async def read_product(
    request: Request,
    sku: str,
    db: DbDep,
    resolver: ResolverDep,
    settings: SettingsDep,
    min_version: MinVersion = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if (bad := _unknown_params(request, {"min_version"})) is not None:
        return bad
    wanted = min_version_for(f"product-{sku}", token, min_version)
    view, timed_out = await read_at_least(
        lambda: get_product(db, resolver, sku), wanted, settings.consistency_wait_seconds
    )
    return _answer(view, f"product {sku}", timed_out, if_none_match)
