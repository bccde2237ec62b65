"""The upi context's reads: a VPA (what it resolves to), a payment by RRN, and a VPA's payments
(sent and received, newest first, by time window and status, cursor-paged). Single reads answer
with an ETag and honour If-None-Match; a consistency token of the payer VPA's stream (a
payment's answer) waits (bounded) for the payment; unknown or malformed parameters are a 422
naming them. Access: `upi:read`; a customer token reads its own VPAs and the payments it is a
party to (others are a 404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from pymongo.asynchronous.database import AsyncDatabase

from query_service.api.consistency import TokenError, parse_token
from query_service.api.deps import ReadsDep
from query_service.api.http import CONDITION_PARAMETERS, answer, conditions, unknown_params
from query_service.api.owners import OwnedDocument
from query_service.api.pages import PAGE_QUERY, PageDep
from query_service.reads import Page, PageQuery, decode_cursor, fetch_page, params
from query_service.upi.owners import OwnedVpaInQuery, PaymentParty
from shared.auth import allow
from shared.balances import time_key
from shared.read_models import CollectionResolver
from shared.upi.read_models import UPI_PAYMENT_VIEW, UPI_VPA_VIEW
from shared.upi.scopes import UPI_READ
from shared.upi.streams import VPA
from shared.upi.values import RRN_PATTERN, VPA_PATTERN, PaymentStatus
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/upi")

_HIDDEN = {"_id", "customer_ids", "vpas", "sort_key"}
_STATUSES = tuple(s.value for s in PaymentStatus)
_DATE_TIME: dict[str, Any] = {"format": "date-time"}
_MOMENT = "RFC 3339 date-time with its offset (e.g. 2026-11-30T18:30:00Z); inclusive"


def _shown(doc: Mapping[str, Any]) -> bytes:
    return orjson.dumps({k: v for k, v in doc.items() if k not in _HIDDEN}, default=str)


@router.get(
    "/vpas/{vpa}",
    openapi_extra={"parameters": CONDITION_PARAMETERS},
    dependencies=[allow(UPI_READ, customers=OwnedDocument(UPI_VPA_VIEW, "vpa", noun="VPA"))],
)
async def read_vpa(
    request: Request, vpa: Annotated[str, Path(pattern=VPA_PATTERN, max_length=91)], reads: ReadsDep
) -> Response:
    """What the VPA resolves to: its kind, the account or wallet it is linked to, its owner."""
    if isinstance(given := conditions(request), Response):
        return given
    wanted = given.min_version
    try:
        if given.token:
            stream, version = parse_token(given.token)
            wanted = version if stream == VPA.stream_id(vpa) else wanted
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(UPI_VPA_VIEW, vpa, wanted, reads.wait_seconds)
    doc = await reads.loader.get(UPI_VPA_VIEW, vpa)
    if doc is None:
        return problem(404, "Not found", f"VPA {vpa} not found", field="vpa")
    return answer(_shown(doc), f'"{doc["version"]}"', timed_out, given.if_none_match)


@router.get(
    "/payments/{rrn}",
    openapi_extra={"parameters": CONDITION_PARAMETERS},
    dependencies=[allow(UPI_READ, customers=PaymentParty())],
)
async def read_payment(request: Request, rrn: Annotated[str, Path(pattern=RRN_PATTERN)], reads: ReadsDep) -> Response:
    """A payment by its RRN. A token of the payer VPA's stream waits for the payment of that version."""
    if isinstance(given := conditions(request), Response):
        return given
    wanted = given.min_version
    try:
        if given.token:
            stream, version = parse_token(given.token)
            wanted = version if VPA.owns(stream) else wanted
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(UPI_PAYMENT_VIEW, rrn, wanted, reads.wait_seconds)
    doc = await reads.loader.get(UPI_PAYMENT_VIEW, rrn)
    if doc is None:
        return problem(404, "Not found", f"payment {rrn} not found", field="rrn")
    return answer(_shown(doc), f'"{doc["version"]}"', timed_out, given.if_none_match)


@router.get("/payments", dependencies=[allow(UPI_READ, customers=OwnedVpaInQuery())])
async def list_payments(
    request: Request,
    page: PageDep,
    vpa: Annotated[str, Query(pattern=VPA_PATTERN, max_length=91)],
    start: Annotated[
        str | None, Query(alias="from", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    status: Annotated[PaymentStatus | None, Query(description=f"one of {', '.join(_STATUSES)}")] = None,
) -> Response:
    """The VPA's payments, sent and received, newest first; the cursor is a position in that
    order. A token of the VPA's stream waits for its VPA view."""
    if (bad := unknown_params(request, {"vpa", "from", "to", "status", *PAGE_QUERY})) is not None:
        return bad
    try:
        low = params.moment("from", start) if start is not None else None
        high = params.moment("to", end) if end is not None else None
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    if low and high and low > high:
        return invalid("to", "must not be before from")
    query: dict[str, Any] = {"vpas": vpa}
    if status:
        query["status"] = status.value
    bounds: dict[str, str] = {"$gte": time_key(low)} if low else {}
    uppers = [time_key(high) + "}"] if high else []  # "}" sorts after the "|" of every key at `to`

    async def load(db: AsyncDatabase[Any], resolver: CollectionResolver) -> Page:
        keys = [*uppers, decode_cursor(page.cursor)] if page.cursor else uppers
        sort = {**bounds, "$lt": min(keys)} if keys else bounds
        found = {**query, "sort_key": sort} if sort else query
        index = "by_vpa_status" if status else "by_vpa"
        collection = db[await resolver.live(UPI_PAYMENT_VIEW)]
        hidden = {"_id": 0, "customer_ids": 0, "vpas": 0}
        return await fetch_page(collection, PageQuery(found, "sort_key", True, index, page.limit), hidden)

    return await page.answer(load, {VPA.name: UPI_VPA_VIEW})
