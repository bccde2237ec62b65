"""The compliance context's reads: a month's CTR (JSON, or CSV with `Accept: text/csv`) and the
STR cases. Staff only: `compliance:read`; a customer token is refused (403)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from pymongo.asynchronous.database import AsyncDatabase

from query_service.api.deps import DbDep, ResolverDep
from query_service.api.http import answer, unknown_params
from query_service.api.pages import PAGE_QUERY, PageDep
from query_service.compliance import ctr
from query_service.reads import Page, PageQuery, decode_cursor, fetch_page, params
from shared.auth import allow
from shared.compliance.policy import MONTH_PATTERN
from shared.compliance.read_models import COMPLIANCE_CASH_VIEW, COMPLIANCE_CTR_FILING_VIEW, COMPLIANCE_STR_VIEW
from shared.compliance.scopes import COMPLIANCE_READ
from shared.compliance.streams import STR_CASE
from shared.policy import NoRowInForceError
from shared.read_models import CollectionResolver
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/compliance")
STAFF_ONLY = [allow(COMPLIANCE_READ)]
_CSV = "text/csv"


def _wants_csv(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip().lower() == _CSV for part in accept.split(","))


@router.get(
    "/ctr",
    dependencies=STAFF_ONLY,
    responses={200: {"content": {"application/json": {}, _CSV: {"schema": {"type": "string"}}}}},
)
async def read_ctr(
    request: Request, db: DbDep, resolver: ResolverDep, month: Annotated[str, Query(pattern=MONTH_PATTERN)]
) -> Response:
    """The month's cash transaction report: the customers whose cash deposits or cash withdrawals
    in the IST month are over the threshold, with every cash transaction; its due date, whether it
    was filed, and the retention horizon. `Accept: text/csv`: one row per transaction."""
    if (bad := unknown_params(request, {"month"})) is not None:
        return bad
    try:
        ctr.threshold(month)
    except NoRowInForceError:
        return problem(404, "Not found", f"no CTR for {month}: the CTR rule was not in force", field="month")
    cash = db[await resolver.live(COMPLIANCE_CASH_VIEW)]
    docs = await cash.find({"months": month}).sort("_id", 1).to_list()
    filing = await db[await resolver.live(COMPLIANCE_CTR_FILING_VIEW)].find_one({"_id": month})
    body = ctr.report(month, docs, filing)
    if _wants_csv(request):
        text = ctr.as_csv(body).encode()
        etag = '"' + hashlib.sha256(text).hexdigest()[:32] + '"'
        disposition = {"Content-Disposition": f'attachment; filename="ctr-{month}.csv"', "ETag": etag}
        return Response(text, media_type="text/csv; charset=utf-8", headers=disposition)
    raw = orjson.dumps(body)
    return answer(raw, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"', False, request.headers.get("if-none-match"))


@router.get("/str", dependencies=STAFF_ONLY)
async def list_str(
    request: Request,
    page: PageDep,
    status: Annotated[str | None, Query(pattern=r"^(OPEN|FILED)$", description="OPEN or FILED")] = None,
    due_before: Annotated[
        str | None,
        Query(max_length=10, description="YYYY-MM-DD, exclusive", json_schema_extra={"format": "date"}),
    ] = None,
) -> Response:
    """STR cases, the soonest due first, each with its alert, subject, linked transactions and due
    date (7 IST working days from the escalation)."""
    if (bad := unknown_params(request, {"status", "due_before", *PAGE_QUERY})) is not None:
        return bad
    try:
        before = params.day("due_before", due_before).isoformat() if due_before is not None else None
    except params.InputError as exc:
        return invalid(exc.field, exc.message)

    async def load(db: AsyncDatabase[Any], resolver: CollectionResolver) -> Page:
        query: dict[str, Any] = {"status": status} if status else {}
        bounds: dict[str, str] = {}
        if page.cursor:
            bounds["$gt"] = decode_cursor(page.cursor)
        if before:
            bounds["$lt"] = before
        if bounds:
            query["sort_key"] = bounds
        collection = db[await resolver.live(COMPLIANCE_STR_VIEW)]
        index = "by_status_due" if status else "by_due"
        found = PageQuery(query, "sort_key", False, index, page.limit, hint=not status)  # by_due: a range alone
        return await fetch_page(collection, found, {"_id": 0})

    return await page.answer(load, {STR_CASE.name: COMPLIANCE_STR_VIEW})
