"""The audit trail of the write side: a stream's events, forwards from a version, up to
a version or as recorded at a moment (temporal query). Reads the event store, not a view:
every event of every stream, so staff only (`audit:read`), never customer tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from shared.auth import allow
from shared.streams import ID_PATTERN
from shared.web import problem

AUDIT_READ = "audit:read"

router = APIRouter(prefix="/v1/streams", dependencies=[allow(AUDIT_READ)])

Version = Annotated[int | None, Query(ge=1, le=2**62)]


@router.get("/{stream_id}")
async def read_stream(
    request: Request,
    stream_id: Annotated[str, Path(pattern=ID_PATTERN)],
    from_version: Annotated[int, Query(ge=1, le=2**62)] = 1,
    to_version: Version = None,
    as_of: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    unknown = sorted(set(request.query_params) - {"from_version", "to_version", "as_of", "limit"})
    if unknown:
        return problem(422, "Invalid request", f"{unknown[0]}: unknown query parameter", field=unknown[0])
    if as_of is not None and as_of.tzinfo is None:
        return problem(422, "Invalid request", "as_of: give a time zone (UTC: ...Z)", field="as_of")
    store = request.app.state.services().store
    last = to_version if to_version is not None else from_version + limit - 1
    events = await store.read_stream(
        stream_id, from_version, to_version=min(last, from_version + limit - 1), as_of=as_of
    )
    if not events and from_version == 1:
        return problem(404, "Not found", f"stream {stream_id} has no events" + (" by then" if as_of else ""))
    body: dict[str, Any] = {
        "stream_id": stream_id,
        "events": [e.model_dump(mode="json") for e in events],
        "next_from_version": events[-1].version + 1 if len(events) == limit else None,
    }
    return JSONResponse(body)
