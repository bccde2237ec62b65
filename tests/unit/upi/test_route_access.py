"""Every upi route of both services declares who may call it: the scope a staff token needs and
what a customer token may do (its own accounts, wallets, VPAs and payments)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from query_service import upi as query_upi
from query_service.registry import QueryRegistry
from shared.auth import access_of
from tests.support.upi import registry

DECLARED = {
    ("command", "POST /v1/upi/vpas"): ("upi:write", "own"),
    ("command", "POST /v1/upi/payments"): ("upi:write", "own"),
    ("command", "POST /v1/upi/collects"): ("upi:write", "own"),
    ("command", "POST /v1/upi/collects/{collect_id}/accept"): ("upi:write", "own"),
    ("command", "POST /v1/upi/collects/{collect_id}/decline"): ("upi:write", "own"),
    ("query", "GET /v1/upi/vpas/{vpa}"): ("upi:read", "own"),
    ("query", "GET /v1/upi/payments/{rrn}"): ("upi:read", "own"),
    ("query", "GET /v1/upi/payments"): ("upi:read", "own"),
    ("query", "GET /v1/upi/collects/{collect_id}"): ("upi:read", "own"),
    ("query", "GET /v1/upi/collects"): ("upi:read", "own"),
}


def test_the_upi_routes_declare_their_access() -> None:
    upi_command = next(m for m in registry().manifests if m.name == "upi")
    routers = {"command": list(upi_command.routers), "query": QueryRegistry([query_upi.MANIFEST]).routers}
    found = {}
    for service, declared in routers.items():
        for router in declared:
            for route in router.routes:
                assert isinstance(route, APIRoute)
                access = access_of(route)
                assert access is not None, route.path
                for method in route.methods or ():
                    found[(service, f"{method} {route.path}")] = (access.scope, access.customer_rule)
    assert found == DECLARED
