"""The OpenAPI documents state every answer and the real input rules (`shared.openapi`): each
operation's problem+json errors with one `Problem` schema, links from what creates to what acts
on it, optional parameters that are absent or a value (never null); and the answers match
(a 405 names the allowed methods, a body that is not JSON is a 400 naming the body, a NUL in
free text is a 422 naming the field, not a failed append). tests/fuzz checks it all against
the running services."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from command_service.api import build_app as command_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from query_service.api import build_app as query_app
from tests.support import auth


async def _ready() -> None:
    return None


def _command() -> Any:
    services = services_for(InMemoryEventStore(), settings=Settings())
    return command_app(lambda: services, default_registry(), auth=auth.authenticator())


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


@pytest.mark.parametrize("service", ["command", "query"])
def test_every_operation_declares_its_problems(service: str) -> None:
    app = _command() if service == "command" else query_app(lifespan=None, ready=_ready, auth=auth.authenticator())
    document = app.openapi()
    statuses = {"401", "403", "404", "422"} | ({"400", "409", "412", "429"} if service == "command" else set())
    for path, method, operation in _operations(document):
        for status in statuses:
            content = operation["responses"][status]["content"]
            assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
                path,
                method,
                status,
            )
        for parameter in operation.get("parameters", []):
            assert {"type": "null"} not in parameter["schema"].get("anyOf", []), (path, parameter["name"])
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_creating_posts_link_to_the_operations_on_what_they_created() -> None:
    links = _command().openapi()["paths"]["/v1/products"]["post"]["responses"]["201"]["links"]
    restock = next(link for name, link in links.items() if name.startswith("restock_product"))
    assert restock["parameters"] == {"sku": "$response.body#/sku"}


async def test_answers_are_as_documented() -> None:
    transport = httpx.ASGITransport(app=_command())
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        not_allowed = await client.put("/v1/products")
        assert not_allowed.status_code == 405 and not_allowed.headers["allow"] == "POST"
        not_json = await client.post("/v1/products", content=b"\xff{", headers={"content-type": "application/json"})
        assert not_json.status_code == 400 and not_json.json()["field"] == "body"
        product = {"sku": "P-1", "name": "Pho\x00ne", "category": "books", "price_paise": 100, "stock": 1}
        nul = await client.post("/v1/products", json=product)
        assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "name"
        too_far = await client.post(
            "/v1/products/P-1/restock", json={"quantity": 1}, headers={"If-Match": '"' + "9" * 19 + '"'}
        )
        assert too_far.status_code == 422 and too_far.json()["field"] == "If-Match"
