"""HTTP details every query route shares: strict query parameters, ETag and
If-None-Match, the consistency-timeout header."""

from __future__ import annotations

import hashlib

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from query_service.views import Page
from shared.web import problem


def invalid(field: str, message: str) -> JSONResponse:
    return problem(
        422,
        "Invalid request",
        f"{field}: {message}",
        field=field,
        type_="https://bahi.dev/problems/validation",
        errors=[{"field": field, "message": message, "type": "value_error"}],
    )


def unknown_params(request: Request, allowed: set[str]) -> JSONResponse | None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        return invalid(unknown[0], "unknown query parameter")
    repeated = sorted({k for k in request.query_params if len(request.query_params.getlist(k)) > 1})
    if repeated:
        return invalid(repeated[0], "given more than once")
    return None


def answer(body: bytes, etag: str, timed_out: bool, if_none_match: str | None) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if timed_out:
        headers["X-Consistency-Timeout"] = "true"
    if if_none_match and (if_none_match.strip() == "*" or etag in {t.strip() for t in if_none_match.split(",")}):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def answer_page(page: Page, timed_out: bool, if_none_match: str | None) -> Response:
    """A list's ETag names what it shows: each item's id and version, and the next cursor."""
    body = orjson.dumps(
        {
            "items": [{k: v for k, v in item.items() if k != "sort_key"} for item in page.items],
            "next_cursor": page.next_cursor,
        }
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return answer(body, etag, timed_out, if_none_match)
