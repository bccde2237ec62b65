"""The risk context's reads: alerts (a list with filters, one by id) and a subject (its open
alerts and rolling figures). Staff only: `risk:read`, and a customer token is refused (403) —
whoever it is, an alert about them is not theirs to see. Answers carry a content ETag and honour
If-None-Match; unknown or malformed parameters are a 422 naming them."""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from query_service.api.deps import DbDep, ResolverDep
from query_service.api.http import answer, unknown_params
from query_service.api.pages import PAGE_QUERY, PageDep
from query_service.reads import CursorError, decode_cursor, encode_cursor, params
from query_service.risk.alerts import AlertFilter, alert_page, reviews_of, shown
from shared.auth import allow
from shared.read_models import CollectionResolver
from shared.risk.read_models import RISK_SUBJECT_VIEW
from shared.risk.scopes import RISK_READ
from shared.risk.values import ALERT_ID_PATTERN, SUBJECT_PATTERN, AlertStatus, Rule, parse_alert_id
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/risk")
STAFF_ONLY = [allow(RISK_READ)]
_DATE_TIME: dict[str, Any] = {"format": "date-time"}
_MOMENT = "RFC 3339 date-time with its offset; bounds the alert's first_seen, inclusive"
_SUBJECT_FIELDS = ("subject", "subject_type", "customer_id", "opened_at", "figures", "alert_count")


def _answer(request: Request, body: Any) -> Response:
    raw = orjson.dumps(body)
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    return answer(raw, etag, False, request.headers.get("if-none-match"))


def _utc_text(value: str, field: str) -> str:
    """An RFC 3339 moment as the documents store it (UTC, microseconds, "Z"): comparable as text."""
    return params.moment(field, value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def _subject(db: Any, resolver: CollectionResolver, subject: str) -> dict[str, Any] | None:
    doc: dict[str, Any] | None = await db[await resolver.live(RISK_SUBJECT_VIEW)].find_one({"_id": subject})
    return doc


@router.get("/alerts", dependencies=STAFF_ONLY)
async def list_alerts(
    request: Request,
    page: PageDep,
    db: DbDep,
    resolver: ResolverDep,
    status: Annotated[AlertStatus | None, Query()] = None,
    rule: Annotated[Rule | None, Query()] = None,
    subject: Annotated[str | None, Query(pattern=SUBJECT_PATTERN, max_length=91)] = None,
    start: Annotated[
        str | None, Query(alias="from", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
) -> Response:
    """Alerts newest first (by first seen), each with its status (from its reviews) and triggers."""
    if (bad := unknown_params(request, {"status", "rule", "subject", "from", "to", *PAGE_QUERY})) is not None:
        return bad
    try:
        low = _utc_text(start, "from") if start is not None else None
        high = _utc_text(end, "to") if end is not None else None
        before = decode_cursor(page.cursor) if page.cursor else None
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    except CursorError as exc:
        return invalid("cursor", str(exc))
    if low and high and low > high:
        return invalid("to", "must not be before from")
    wanted = AlertFilter(status, rule.value if rule else None, subject, low, high)
    items, next_key = await alert_page(db, resolver, wanted, page.limit, before)
    return _answer(request, {"items": items, "next_cursor": encode_cursor(next_key) if next_key else None})


@router.get("/alerts/{alert_id}", dependencies=STAFF_ONLY)
async def read_alert(
    request: Request,
    alert_id: Annotated[str, Path(pattern=ALERT_ID_PATTERN, max_length=140)],
    db: DbDep,
    resolver: ResolverDep,
) -> Response:
    if (bad := unknown_params(request, set())) is not None:
        return bad
    ref = parse_alert_id(alert_id)
    doc = await _subject(db, resolver, ref.subject) if ref else None
    alert = next((a for a in (doc or {}).get("alerts", []) if a["alert_id"] == alert_id), None)
    if alert is None:
        return problem(404, "Not found", f"alert {alert_id} not found", field="alert_id")
    review = (await reviews_of(db, resolver, [alert_id])).get(alert_id)
    return _answer(request, shown(alert, review))


@router.get("/subjects/{subject}", dependencies=STAFF_ONLY)
async def read_subject(
    request: Request,
    subject: Annotated[str, Path(pattern=SUBJECT_PATTERN, max_length=91)],
    db: DbDep,
    resolver: ResolverDep,
) -> Response:
    """An account's, a wallet's or a VPA's rolling figures (as of its latest movement, in event
    time) and its alerts not yet closed (OPEN or UNDER_REVIEW)."""
    if (bad := unknown_params(request, set())) is not None:
        return bad
    doc = await _subject(db, resolver, subject)
    if doc is None:
        return problem(404, "Not found", f"subject {subject} not found", field="subject")
    alerts = doc.get("alerts", [])
    reviews = await reviews_of(db, resolver, [a["alert_id"] for a in alerts])
    merged = [shown(a, reviews.get(a["alert_id"])) for a in alerts]
    closed = {AlertStatus.DISMISSED.value, AlertStatus.ESCALATED.value}
    body = {name: doc.get(name) for name in _SUBJECT_FIELDS}
    body["open_alerts"] = [a for a in reversed(merged) if a["status"] not in closed]
    body["version"] = doc.get("version")
    return _answer(request, body)
