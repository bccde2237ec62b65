"""The single-document reads' optional inputs (min_version, consistency token, If-None-Match):
parsed by hand on the hot path, strictly, and still documented in OpenAPI."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request

from query_service.api.http import MAX_VERSION, Conditions, conditions
from query_service.app import create_app
from query_service.settings import Settings


def _request(query: str = "", headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": raw})


def _field(answer: object) -> str:
    assert not isinstance(answer, Conditions)
    assert answer.status_code == 422 and answer.media_type == "application/problem+json"  # type: ignore[attr-defined]
    return str(json.loads(answer.body)["field"])  # type: ignore[attr-defined]


def test_no_conditions() -> None:
    assert conditions(_request()) == Conditions(None, None, None)


def test_all_three_are_read() -> None:
    given = conditions(_request("min_version=7", {"X-Consistency-Token": "t", "If-None-Match": '"3"'}))
    assert given == Conditions(7, "t", '"3"')


@pytest.mark.parametrize("value", ["1", "42", str(MAX_VERSION)])
def test_versions_in_range(value: str) -> None:
    assert conditions(_request(f"min_version={value}")) == Conditions(int(value), None, None)


@pytest.mark.parametrize("value", ["0", "-1", "+5", "%205", "1_0", "5.0", "abc", "", str(MAX_VERSION + 1), "9" * 40])
def test_malformed_or_out_of_range_versions_name_the_field(value: str) -> None:
    assert _field(conditions(_request(f"min_version={value}"))) == "min_version"


def test_unknown_and_repeated_parameters_name_themselves() -> None:
    assert _field(conditions(_request("limit=3"))) == "limit"
    assert _field(conditions(_request("min_version=1&min_version=2"))) == "min_version"


def test_openapi_documents_the_conditions_of_every_single_document_read() -> None:
    spec = create_app(Settings(mongo_url="mongodb://127.0.0.1:1")).openapi()
    for path in ("/v1/orders/{order_id}", "/v1/products/{sku}", "/v1/customers/{customer_id}/summary"):
        names = {(p["name"], p["in"]) for p in spec["paths"][path]["get"]["parameters"]}
        assert {("min_version", "query"), ("X-Consistency-Token", "header"), ("If-None-Match", "header")} <= names
