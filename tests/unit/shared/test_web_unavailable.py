"""A store that is unreachable is a 503 problem+json with `Retry-After`, never a 500: for the
errors a service names (`shared.web.install_unavailable`), raised in a routed handler or in an
ASGI layer in front of the router (the query service's fast reads), and counted by the request
metrics; any other error stays a 500."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.web import install_health, install_problem_handlers, install_unavailable


class StoreGoneError(Exception):
    pass


class _FastLayer:
    """Answers /fast itself, as the query service's fast reads do, and fails there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/fast":
            raise ConnectionRefusedError(111, "Connection refused")
        await self.app(scope, receive, send)


async def _ready() -> None:
    return None


def _app(service: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(_FastLayer)
    install_unavailable(app, (StoreGoneError, OSError))
    install_health(app, service, _ready)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "gone":
            raise StoreGoneError("the connection was closed in the middle of operation")
        if thing_id == "bug":
            raise RuntimeError("a bug")
        return {"id": thing_id}

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_an_unreachable_store_is_a_503_with_retry_after_on_routed_and_fast_paths() -> None:
    service = f"svc-{uuid.uuid4().hex[:8]}"
    async with _client(_app(service)) as client:
        for path in ("/things/gone", "/fast"):
            answer = await client.get(path)
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["Retry-After"] == "1"
            assert answer.json()["type"] == "https://bahi.dev/problems/unavailable"
        assert (await client.get("/things/fine")).status_code == 200
    labels = {"service": service, "route": "/things/{thing_id}", "status": "503"}
    assert REGISTRY.get_sample_value("bahi_http_requests_total", labels) == 1.0


async def test_any_other_error_is_still_a_500() -> None:
    async with _client(_app(f"svc-{uuid.uuid4().hex[:8]}")) as client:
        assert (await client.get("/things/bug")).status_code == 500
