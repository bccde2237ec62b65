"""HTTP details every query route shares: strict query parameters, ETag and
If-None-Match, the consistency-timeout header."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from query_service.reads import Page
from shared.web import invalid


def unknown_params(request: Request, allowed: set[str]) -> JSONResponse | None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        return invalid(unknown[0], "unknown query parameter")
    repeated = sorted({k for k in request.query_params if len(request.query_params.getlist(k)) > 1})
    if repeated:
        return invalid(repeated[0], "given more than once")
    return None


MAX_VERSION = 2**62
_DIGITS = re.compile(r"[0-9]{1,19}")

# The optional inputs of the single-document reads, as OpenAPI documents them (see `conditions`).
CONDITION_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "min_version",
        "in": "query",
        "required": False,
        "description": "Wait (bounded) until the view is at least at this version.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_VERSION},
    },
    {
        "name": "X-Consistency-Token",
        "in": "header",
        "required": False,
        "description": "A command's consistency token: wait (bounded) until the view has applied it.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "ETags the client holds: 304 when the view's is among them.",
        "schema": {"type": "string"},
    },
]


@dataclass(frozen=True)
class Conditions:
    min_version: int | None
    token: str | None
    if_none_match: str | None


def conditions(request: Request) -> Conditions | JSONResponse:
    """`min_version`, the consistency token and If-None-Match of a single-document read, or the
    422 naming what is wrong. Parsed here rather than declared as FastAPI parameters: those
    cost typing introspection per parameter on every request, a large share of a whole read
    of one document; `CONDITION_PARAMETERS` documents them all the same."""
    if (bad := unknown_params(request, {"min_version"})) is not None:
        return bad
    raw = request.query_params.get("min_version")
    min_version = None
    if raw is not None:
        if not _DIGITS.fullmatch(raw):
            return invalid("min_version", "must be a whole number")
        min_version = int(raw)
        if not 1 <= min_version <= MAX_VERSION:
            return invalid("min_version", f"must be between 1 and {MAX_VERSION}")
    headers = request.headers
    return Conditions(min_version, headers.get("x-consistency-token"), headers.get("if-none-match"))


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
        },
        option=orjson.OPT_UTC_Z,  # UTC as "Z", as the single-document reads (pydantic) write it
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return answer(body, etag, timed_out, if_none_match)
