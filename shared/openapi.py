"""What the OpenAPI documents say about errors: every operation declares the problem+json
answers (RFC 9457) a service gives (401, 403, 404, 409, 412, 422, 429, ...) with one `Problem`
schema, in place of FastAPI's default 422 (`HTTPValidationError`, which no route answers: the
services answer validation errors as problem+json naming the field, `shared.web`). A client
generated from the document, or a fuzzer checking the answers against it (tests/fuzz), then
finds each answer it can get described."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from shared.web import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `field` names the offending input where there is one.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "type": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

ERRORS: dict[int, str] = {
    401: "No bearer token, or one that does not verify (`WWW-Authenticate` says why)",
    403: "The token lacks the route's scope (named in `scope`), or a customer token acts for another customer",
    404: "Not found (or another customer's)",
    422: "Invalid input, named in `field`",
}
"""What every API operation of both services may answer."""

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def document_errors(app: FastAPI, extra: Mapping[int, str] | None = None) -> None:
    """Every operation of `app`'s OpenAPI document declares `ERRORS` and `extra` as problem+json,
    and a 304 where it takes If-None-Match."""
    build = app.openapi
    statuses = {**ERRORS, **(extra or {})}

    def openapi() -> dict[str, Any]:
        schema = build()  # cached by FastAPI: changing it again changes nothing
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method not in _METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                for status, description in sorted(statuses.items()):
                    given = responses.setdefault(str(status), {"description": description})
                    given["content"] = content
                for parameter in operation.get("parameters", []):
                    parameter["schema"] = _not_null(parameter.get("schema", {}))
                names = {p.get("name", "").lower() for p in operation.get("parameters", [])}
                if "if-none-match" in names:
                    responses.setdefault("304", {"description": "Not modified: If-None-Match named the current ETag"})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_links(app: FastAPI) -> None:
    """OpenAPI links (3.0 §4.7.22), the sequences a client (or the fuzzer's stateful phase)
    follows: from each creating POST (`POST /v1/orders`, 201) to the operations on what it
    created (`/v1/orders/{order_id}/...`), the id taken from the answer's field of that name;
    and from each list (`GET /v1/customers/{customer_id}/accounts`, 200, `items`) to the reads
    of what it lists (`/v1/accounts/{account_id}...`), the id taken from its first item."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        paths: dict[str, Any] = schema.get("paths", {})
        for path, path_item in paths.items():
            created = path_item.get("post", {}).get("responses", {}).get("201")
            if created is not None:
                _link(created, paths, path, "$response.body#/{}")
            listed = path_item.get("get", {}).get("responses", {}).get("200")
            if listed is not None and not path.endswith("}"):
                _link(listed, paths, "/v1/" + path.rsplit("/", 1)[1], "$response.body#/items/0/{}")
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _link(response: dict[str, Any], paths: dict[str, Any], prefix: str, source: str) -> None:
    """Links from `response` to every operation under `prefix/{name}`, `name` from `source`."""
    links: dict[str, Any] = {}
    for other, other_item in paths.items():
        if not other.startswith(prefix + "/{"):
            continue
        name = other[len(prefix) + 2 : other.index("}", len(prefix))]
        for method, operation in other_item.items():
            if method in _METHODS and "operationId" in operation:
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {name: source.format(name)},
                }
    if links:
        response["links"] = links


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without FastAPI's `null` branch for an optional one: a query
    parameter or header is absent or a string, never null (`?limit=null` is a bad value)."""
    branches = schema.get("anyOf")
    if not branches or {"type": "null"} not in branches:
        return schema
    kept = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
