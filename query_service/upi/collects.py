"""The collect reads: a collect request by id, and a VPA's collect requests (those it raised as a
merchant and those raised on it as a payer, newest first, by status, cursor-paged). A request
still REQUESTED at or after its `expires_at` has lapsed and reads as EXPIRED (the query service's
clock decides; no event records a lapse), so `status=REQUESTED` lists the open ones only — a
payer's pending collects. Single reads answer with an ETag (the version, and whether it lapsed)
and honour If-None-Match; a consistency token of the collect's stream (a collect command's
answer) waits (bounded) for it. Access: `upi:read`; a customer token reads the collects it is a
party to (payer's or merchant's customer) and the list of its own VPA (others are a 404)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from pymongo.asynchronous.database import AsyncDatabase

from query_service.api.consistency import TokenError, parse_token
from query_service.api.deps import ReadsDep
from query_service.api.http import CONDITION_PARAMETERS, answer, conditions, unknown_params
from query_service.api.pages import PAGE_QUERY, PageDep
from query_service.reads import Page, PageQuery, decode_cursor, fetch_page
from query_service.upi.owners import CollectParty, OwnedVpaInQuery
from shared.auth import allow
from shared.read_models import CollectionResolver
from shared.streams import ID_PATTERN
from shared.upi.read_models import UPI_COLLECT_VIEW
from shared.upi.scopes import UPI_READ
from shared.upi.streams import COLLECT
from shared.upi.values import VPA_PATTERN, CollectStatus
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/upi")

_HIDDEN = {"_id", "customer_ids", "vpas", "sort_key"}
_STATUSES = tuple(s.value for s in CollectStatus)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """A time as stored (MongoDB keeps UTC; a client without tz_aware reads it naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_read(doc: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The document as shown: a REQUESTED one past its expiry is EXPIRED."""
    shown = {k: v for k, v in doc.items() if k not in _HIDDEN}
    if shown.get("status") == CollectStatus.REQUESTED.value and _aware(shown["expires_at"]) <= now:
        shown["status"] = CollectStatus.EXPIRED.value
    return shown


def _status_filter(status: CollectStatus, now: datetime) -> dict[str, Any]:
    if status is CollectStatus.REQUESTED:
        return {"status": status.value, "expires_at": {"$gt": now}}
    if status is CollectStatus.EXPIRED:
        return {"status": CollectStatus.REQUESTED.value, "expires_at": {"$lte": now}}
    return {"status": status.value}


@router.get(
    "/collects/{collect_id}",
    openapi_extra={"parameters": CONDITION_PARAMETERS},
    dependencies=[allow(UPI_READ, customers=CollectParty())],
)
async def read_collect(
    request: Request, collect_id: Annotated[str, Path(pattern=ID_PATTERN)], reads: ReadsDep
) -> Response:
    """A collect request: who asks whom for how much, its status (EXPIRED once lapsed) and expiry."""
    if isinstance(given := conditions(request), Response):
        return given
    wanted = given.min_version
    try:
        if given.token:
            stream, version = parse_token(given.token)
            wanted = version if stream == COLLECT.stream_id(collect_id) else wanted
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(UPI_COLLECT_VIEW, collect_id, wanted, reads.wait_seconds)
    doc = await reads.loader.get(UPI_COLLECT_VIEW, collect_id)
    if doc is None:
        return problem(404, "Not found", f"collect {collect_id} not found", field="collect_id")
    shown = as_read(doc, utc_now())
    lapsed = "-expired" if shown["status"] == CollectStatus.EXPIRED.value else ""
    return answer(orjson.dumps(shown, default=str), f'"{doc["version"]}{lapsed}"', timed_out, given.if_none_match)


@router.get("/collects", dependencies=[allow(UPI_READ, customers=OwnedVpaInQuery())])
async def list_collects(
    request: Request,
    page: PageDep,
    vpa: Annotated[str, Query(pattern=VPA_PATTERN, max_length=91)],
    status: Annotated[CollectStatus | None, Query(description=f"one of {', '.join(_STATUSES)}")] = None,
) -> Response:
    """The VPA's collect requests (raised by it or on it), newest first; `status=REQUESTED`: the
    open ones. A token of a collect's stream waits for that collect."""
    if (bad := unknown_params(request, {"vpa", "status", *PAGE_QUERY})) is not None:
        return bad
    now = utc_now()
    query: dict[str, Any] = {"vpas": vpa, **(_status_filter(status, now) if status else {})}

    async def load(db: AsyncDatabase[Any], resolver: CollectionResolver) -> Page:
        found = {**query, "sort_key": {"$lt": decode_cursor(page.cursor)}} if page.cursor else query
        index = "by_vpa_status" if status else "by_vpa"
        collection = db[await resolver.live(UPI_COLLECT_VIEW)]
        hidden = {"_id": 0, "customer_ids": 0, "vpas": 0}
        fetched = await fetch_page(collection, PageQuery(found, "sort_key", True, index, page.limit), hidden)
        items = [{**as_read(item, now), "sort_key": item["sort_key"]} for item in fetched.items]
        return Page(items=items, next_cursor=fetched.next_cursor)

    return await page.answer(load, {COLLECT.name: UPI_COLLECT_VIEW})
