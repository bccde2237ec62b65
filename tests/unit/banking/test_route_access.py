"""Every banking route of both services declares who may call it, as this table says: the
scope a staff token needs and what a customer token may do (never, or its own accounts)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from query_service import banking as query_banking
from query_service.registry import QueryRegistry
from shared.auth import access_of
from tests.support.banking import registry

DECLARED = {
    ("command", "POST /v1/accounts"): ("banking:write", "own"),
    ("command", "POST /v1/accounts/{account_id}/deposits"): ("banking:write", "never"),
    ("command", "POST /v1/accounts/{account_id}/withdrawals"): ("banking:write", "own"),
    ("command", "POST /v1/accounts/{account_id}/transfers"): ("banking:write", "own"),
    ("command", "POST /v1/accounts/{account_id}/charges/minimum-balance"): ("banking:write", "never"),
    ("command", "POST /v1/accounts/{account_id}/freeze"): ("banking:write", "never"),
    ("command", "POST /v1/accounts/{account_id}/unfreeze"): ("banking:write", "never"),
    ("command", "POST /v1/accounts/{account_id}/close"): ("banking:write", "own"),
    ("command", "GET /v1/accounts/{account_id}/audit"): ("banking:audit", "never"),
    ("command", "GET /v1/accounts/{account_id}/state"): ("banking:audit", "never"),
    ("query", "GET /v1/accounts/{account_id}"): ("banking:read", "own"),
    ("query", "GET /v1/accounts/{account_id}/balance"): ("banking:read", "own"),
    ("query", "GET /v1/accounts/{account_id}/statement"): ("banking:read", "own"),
    ("query", "GET /v1/customers/{customer_id}/accounts"): ("banking:read", "own"),
}


def routers() -> dict[str, list[APIRouter]]:
    return {"command": registry().routers, "query": QueryRegistry([query_banking.MANIFEST]).routers}


def test_the_banking_routes_declare_their_access() -> None:
    found = {}
    for service, declared in routers().items():
        for router in declared:
            for route in router.routes:
                assert isinstance(route, APIRoute)
                access = access_of(route)
                assert access is not None, route.path
                for method in route.methods or ():
                    found[(service, f"{method} {route.path}")] = (access.scope, access.customer_rule)
    assert found == DECLARED
