"""Every route of both services declares who may call it (`shared.auth.allow`), checked over
the apps as they are built: a route added without a declaration fails here (and the registries
refuse it at start-up); the commerce and wallets routes declare what this table says; the
OpenAPI documents carry the bearer scheme, each operation's scope and its customer rule."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from command_service.api.app import build_app
from command_service.handling import CommandRegistry, default_registry
from query_service.app import create_app
from query_service.registry import QueryRegistry
from query_service.settings import Settings
from shared.auth import OPEN_PATHS, access_of, api_routes
from tests.support import auth
from tests.support.demo import command as demo_command
from tests.support.demo import query as demo_query

# (service, "METHOD path") -> (the scope a staff token needs, what a customer token may do)
DECLARED = {
    ("command", "POST /v1/products"): ("catalog:write", "never"),
    ("command", "POST /v1/products/{sku}/restock"): ("catalog:write", "never"),
    ("command", "POST /v1/products/{sku}/price"): ("catalog:write", "never"),
    ("command", "POST /v1/orders"): ("orders:write", "own"),
    ("command", "POST /v1/orders/{order_id}/payment"): ("payments:write", "never"),
    ("command", "POST /v1/orders/{order_id}/shipment"): ("orders:write", "never"),
    ("command", "POST /v1/orders/{order_id}/delivery"): ("orders:write", "never"),
    ("command", "POST /v1/orders/{order_id}/cancellation"): ("orders:write", "own"),
    ("command", "POST /v1/orders/{order_id}/return"): ("orders:write", "own"),
    ("command", "POST /v1/orders/{order_id}/return/receipt"): ("orders:write", "never"),
    ("command", "POST /v1/wallets"): ("wallets:write", "own"),
    ("command", "POST /v1/wallets/{wallet_id}/kyc"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/topups"): ("wallets:write", "own"),
    ("command", "POST /v1/wallets/{wallet_id}/payments"): ("wallets:write", "own"),
    ("command", "POST /v1/wallets/{wallet_id}/payments/{payment_id}/capture"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/payments/{payment_id}/void"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/transfers"): ("wallets:write", "own"),
    ("command", "POST /v1/wallets/{wallet_id}/refunds"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/freeze"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/unfreeze"): ("wallets:write", "never"),
    ("command", "POST /v1/wallets/{wallet_id}/close"): ("wallets:write", "own"),
    ("command", "GET /v1/streams/{stream_id}"): ("audit:read", "never"),
    ("query", "GET /v1/orders/{order_id}"): ("orders:read", "own"),
    ("query", "GET /v1/orders"): ("orders:read", "never"),
    ("query", "GET /v1/customers/{customer_id}/summary"): ("orders:read", "own"),
    ("query", "GET /v1/customers/{customer_id}/orders"): ("orders:read", "own"),
    ("query", "GET /v1/products/{sku}"): ("catalog:read", "any"),
    ("query", "GET /v1/products"): ("catalog:read", "any"),
    ("query", "GET /v1/wallets/{wallet_id}"): ("wallets:read", "own"),
    ("query", "GET /v1/wallets/{wallet_id}/balance"): ("wallets:read", "own"),
    ("query", "GET /v1/wallets/{wallet_id}/statement"): ("wallets:read", "own"),
    ("query", "GET /v1/merchants/{merchant_id}/settlements"): ("settlements:read", "never"),
}


def apps() -> dict[str, FastAPI]:
    def no_services() -> Any:
        raise AssertionError("not used")

    return {
        "command": build_app(no_services, default_registry(), auth=auth.authenticator()),
        "query": create_app(Settings(mongo_url="mongodb://127.0.0.1:1")),
    }


def served() -> dict[tuple[str, str], tuple[str | None, str | None]]:
    found = {}
    for service, app in apps().items():
        for path, route in api_routes(app):
            access = access_of(route)
            for method in route.methods or ():
                rule = (access.scope, access.customer_rule) if access is not None else (None, None)
                found[(service, f"{method} {path}")] = rule
    return found


def _path(route: str) -> str:
    return route.split(" ", 1)[1]


def test_every_route_but_health_declares_a_scope() -> None:
    routes = served()
    assert {route for (_, route) in routes if _path(route) in OPEN_PATHS} == {
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
    }
    undeclared = [key for key, (scope, _) in routes.items() if _path(key[1]) not in OPEN_PATHS and not scope]
    assert not undeclared, f"routes without shared.auth.allow(...): {undeclared}"


def test_commerce_wallets_and_the_audit_trail_declare_their_access() -> None:
    routes = served()
    assert {key: routes.get(key) for key in DECLARED} == DECLARED


def test_the_openapi_documents_declare_the_bearer_scheme_and_each_operations_scope() -> None:
    for service, app in apps().items():
        spec = app.openapi()
        assert spec["components"]["securitySchemes"]["bearer"] | {"description": ""} == {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "",
        }
        for (where, route), (scope, rule) in DECLARED.items():
            if where == service:
                method, path = route.split(" ", 1)
                operation = spec["paths"][path][method.lower()]
                assert operation["security"] == [{"bearer": [scope]}], route
                assert operation["x-bahi-customers"] == rule, route
        assert "/healthz" not in spec["paths"]


def test_a_route_without_an_access_declaration_is_refused_at_start_up() -> None:
    bare = APIRouter()

    @bare.get("/v1/open")
    async def wide_open() -> dict[str, str]:
        return {}

    commands = dataclasses.replace(demo_command.MANIFEST, routers=(bare,))
    with pytest.raises(ValueError, match=r"route GET /v1/open of 'demo' declares no access"):
        CommandRegistry([commands])
    queries = dataclasses.replace(demo_query.MANIFEST, routers=(bare,))
    with pytest.raises(ValueError, match=r"route GET /v1/open of 'demo' declares no access"):
        QueryRegistry([queries])
