"""The demo context in the query service: one view, `GET /v1/tallies/{tally_id}`."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from query_service.api.http import answer
from query_service.manifest import QueryManifest
from shared.auth import ANY_CUSTOMER, allow
from shared.web import problem
from tests.support.demo.shared import MANIFEST as SHARED
from tests.support.demo.shared import TALLY_VIEW

router = APIRouter(prefix="/v1")


TALLIES_READ = "tallies:read"


@router.get("/tallies/{tally_id}", dependencies=[allow(TALLIES_READ, customers=ANY_CUSTOMER)])
async def read_tally(request: Request, tally_id: str) -> Response:
    state: Any = request.app.state
    doc = await state.db[await state.resolver.live(TALLY_VIEW)].find_one({"_id": tally_id})
    if doc is None:
        return problem(404, "Not found", f"tally {tally_id} not found")
    body = {"tally_id": tally_id, "total": doc["total"], "counts": doc["counts"], "version": doc["version"]}
    return answer(orjson.dumps(body), f'"{doc["version"]}"', False, request.headers.get("If-None-Match"))


MANIFEST = QueryManifest(shared=SHARED, routers=(router,))
