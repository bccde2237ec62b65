"""The request metrics every service exports: counted by route template and status, timed,
including requests that match no route and requests whose handler raised."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from shared.web import install_health, install_problem_handlers
from tests.support import auth


async def _ready() -> None:
    return None


def _app(service: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_health(app, service, _ready)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "boom":
            raise RuntimeError("a bug")
        return {"id": thing_id}

    return app


def _count(service: str, route: str, status: str) -> float:
    labels = {"service": service, "route": route, "status": status}
    return REGISTRY.get_sample_value("bahi_http_requests_total", labels) or 0.0


async def test_requests_are_counted_by_route_template_and_status() -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    transport = httpx.ASGITransport(app=_app(service), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for thing_id in ("a", "b", "c"):
            assert (await client.get(f"/things/{thing_id}")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
        assert (await client.get("/things/boom")).status_code == 500
        text = (await client.get("/metrics")).text
    assert _count(service, "/things/{thing_id}", "200") == 3
    assert _count(service, "unmatched", "404") == 1
    assert _count(service, "/things/{thing_id}", "500") == 1
    timed = REGISTRY.get_sample_value(
        "bahi_http_request_seconds_count", {"service": service, "route": "/things/{thing_id}"}
    )
    assert timed == 4
    assert f'service="{service}"' in text


def test_fastapi_native_telemetry_is_off_in_the_http_services() -> None:
    """On, it would look up the global OpenTelemetry providers on every request."""
    from command_service.api.app import build_app
    from command_service.handling import default_registry
    from query_service.app import create_app
    from query_service.settings import Settings

    def no_services() -> Any:
        raise AssertionError("not used")

    command = build_app(no_services, default_registry(), auth=auth.authenticator())
    for app in (create_app(Settings(mongo_url="mongodb://127.0.0.1:1")), command):
        config = app._telemetry
        assert (config["tracing"], config["metrics"], config["logs"]) == (False, False, False)
