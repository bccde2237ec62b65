"""Routes appended to the app (`include_routes`) and found through the prefix index
(`index_routes`) answer exactly as FastAPI's own `include_router` and scan do, and the index
looks only at the routes of the request's prefix."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from starlette.routing import Match

from shared.routes import include_routes, index_routes


def need_key(x_key: Annotated[str | None, Header()] = None) -> None:
    if x_key != "k":
        raise HTTPException(403, "no key")


def routers() -> list[APIRouter]:
    items = APIRouter(prefix="/v1/items")

    @items.get("/{item_id}")
    async def item(item_id: str, n: int = 0) -> dict[str, object]:
        return {"item": item_id, "n": n}

    @items.post("/{item_id}/moves", status_code=201)
    async def move(item_id: str, body: dict[str, int]) -> dict[str, object]:
        return {"item": item_id, "moved": body}

    @items.get("")
    async def all_items() -> list[str]:
        return ["a"]

    guarded = APIRouter(prefix="/v1/vault", dependencies=[Depends(need_key)])

    @guarded.get("/{box}")
    async def box(box: str) -> dict[str, str]:
        return {"box": box}

    wide = APIRouter(prefix="/v1")

    @wide.get("/{kind}/count")
    async def count(kind: str) -> dict[str, str]:
        return {"count": kind}

    @wide.get("/items/special/{x}")
    async def special(x: str) -> dict[str, str]:
        return {"special": x}

    return [items, guarded, wide]


def app_of(indexed: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"ok": "yes"}

    for router in routers():
        if indexed:
            include_routes(app, router)
        else:
            app.include_router(router)
    if indexed:
        index_routes(app)
    return app


REQUESTS = [
    ("GET", "/healthz", {}, None),
    ("GET", "/v1/items/a1?n=3", {}, None),
    ("GET", "/v1/items", {}, None),
    ("GET", "/v1/items/", {}, None),  # a redirect (trailing slash)
    ("POST", "/v1/items/a1/moves", {}, {"by": 2}),
    ("POST", "/v1/items/a1/moves", {}, {"by": "two"}),  # 422
    ("PUT", "/v1/items/a1/moves", {}, None),  # 405
    ("DELETE", "/v1/items/a1", {}, None),  # 405
    ("GET", "/v1/vault/b1", {}, None),  # 403 from the router's dependency
    ("GET", "/v1/vault/b1", {"x-key": "k"}, None),
    ("GET", "/v1/things/count", {}, None),  # a parameter in the first two segments
    ("GET", "/v1/items/count", {}, None),  # /v1/items/{item_id} comes first, as in the scan
    ("GET", "/v1/items/special/s", {}, None),
    ("GET", "/v2/nothing", {}, None),  # 404
    ("GET", "/", {}, None),  # 404
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
async def test_the_index_answers_as_fastapi_does(
    method: str, path: str, headers: dict[str, str], body: dict[str, object] | None
) -> None:
    answers = []
    for indexed in (False, True):
        transport = httpx.ASGITransport(app=app_of(indexed))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.request(method, path, headers=headers, json=body)
        answers.append((answer.status_code, answer.headers.get("location"), answer.headers.get("allow"), answer.text))
    assert answers[0] == answers[1]


def test_the_index_looks_only_at_the_prefix_routes() -> None:
    app = app_of(True)
    index = app.router.middleware_stack
    candidates = index.candidates("/v1/vault/b1")
    paths = [route.path for route in candidates]  # type: ignore[attr-defined]
    assert paths == ["/v1/vault/{box}", "/v1/{kind}/count"]
    assert len(candidates) < len(app.router.routes)
    scope = {"type": "http", "method": "GET", "path": "/v1/vault/b1", "root_path": "", "headers": []}
    assert any(route.matches(scope)[0] is Match.FULL for route in candidates)


def test_a_router_with_lifecycle_hooks_is_refused() -> None:
    router = APIRouter(on_startup=[lambda: None])
    with pytest.raises(ValueError, match="include_router"):
        include_routes(FastAPI(), router)
