"""Fuzzing an HTTP service from its own OpenAPI document (schemathesis): the document loaded
from the running service, the suite's staff token on every request, every request counted,
and the Hypothesis settings that keep a run deterministic (derandomized: CI replays it) and
within its time budget. tests/fuzz uses it."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections import Counter
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis import Case, HookContext
from schemathesis.config._auth import AuthConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.schemas import BaseSchema

from tests.support import auth

SENT: Counter[str] = Counter()
"""Requests sent per service (the OpenAPI document's title), stateful phase included."""


def per_operation(max_examples: int) -> settings:
    """Derandomized (CI sends the same requests every run), no stored examples, no deadline
    (a slow answer of a real service on a 2-core machine is a latency, not a failure), and no
    health checks (most fuzzed requests are meant to be refused: not "filtering too much")."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def stateful(max_examples: int, steps: int) -> settings:
    """As `per_operation`, generation only, as schemathesis runs its stateful phase: a replay
    (shrinking, the explicit examples) meets a server whose state the first run changed."""
    return settings(per_operation(max_examples), stateful_step_count=steps, phases=[Phase.generate])


def run_sequences(schema: BaseSchema, given: settings, rounds: int = 3) -> None:
    """The stateful phase: sequences of calls following the document's links. Hypothesis
    replays a prefix it has seen to explore past it, and finds the service in another state
    than the first time (a product now exists): `Flaky`, which says nothing about the service.
    So every failure is kept when first seen, and a `Flaky` only ends the round: `rounds` runs
    (each starts over from the same choices, on a service that has moved on)."""
    failures: list[BaseException] = []

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Case, *args: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(response, case, *args, **kwargs)
            except BaseException as failure:
                failures.append(failure)
                raise

    for _ in range(rounds):
        with contextlib.suppress(Flaky):
            Sequences.run(settings=given)
        if failures:
            raise failures[0]


def document(app: FastAPI) -> BaseSchema:
    """The service's OpenAPI document as `app` (built by the service's own `build_app`) serves
    it, ready to fuzz: the requests go where `served_at` says (the service run as a process)."""
    return configure(schemathesis.openapi.from_dict(app.openapi()))


def served_at(schema: BaseSchema, url: str) -> None:
    schema.config.update(base_url=url, request_timeout=30)


def configure(schema: BaseSchema) -> BaseSchema:
    # As the document's bearer scheme: schemathesis then also checks that a request without
    # it, or with a made-up one, is refused (401).
    token = auth.STAFF["Authorization"].removeprefix("Bearer ")
    schema.config.auth = AuthConfig(openapi={"bearer": {"bearer": token}})
    title = schema.raw_schema["info"]["title"]

    @schema.hook("after_call")
    def count(context: HookContext, case: Case, response: Any) -> None:
        SENT[title] += 1

    @schema.hook("filter_failure")
    def not_expressible(context: HookContext, failure: Any, case: Case, response: Any) -> bool:
        return not _refused_as_documented_elsewhere(failure, response)

    @schema.hook("map_case")
    def as_meant(context: HookContext, case: Case) -> Case:
        return _as_meant(case)

    # A valid command for a stream at another version than If-Match names is refused, rightly.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "412"]
    return schema


BEYOND_THE_DOCUMENT = {
    "cursor": "a cursor is opaque: only one a list answered is valid",
    "X-Consistency-Token": "a consistency token is opaque: only one a command answered is valid",
}
"""Inputs a schema-valid request may still get refused by (422 naming them): what JSON Schema
cannot state. Anything else refused by a valid request is a failure."""

CROSS_FIELD = ("not both", " names ", "required for a", "must not be before", "must not be below")
"""Words of the 422s for rules between fields (`as_of` or `version`, not both; a transfer by
IMPS names the account number and IFSC, not an account id), which the documents describe in
words only."""


def _refused_as_documented_elsewhere(failure: Any, response: Any) -> bool:
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return False
    try:
        errors = response.json().get("errors", [])
    except ValueError:
        return False
    return bool(errors) and all(
        e.get("field") in BEYOND_THE_DOCUMENT or any(w in e.get("message", "") for w in CROSS_FIELD) for e in errors
    )


_KEYS = itertools.count()


def _as_meant(case: Case) -> Case:
    """A positive case as the API reads it: its Idempotency-Key made unique (the same key with
    another request is a 422 by design: the suite checks replays itself), and an integral float
    in its body made an int (JSON Schema calls 3.0 an integer; Bahi's amounts and counts are
    strict integers, 3.0 refused like "3", and no request field of either document is a float)."""
    meta = case.meta
    if meta is None or meta.generation.mode.name != "POSITIVE":
        return case
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"{str(case.headers['Idempotency-Key'])[:180]}-{next(_KEYS)}"
    case.body = _ints(case.body)
    return case


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    """A positive case's header as documented again: schemathesis' coverage phase sends an
    entity tag (`If-Match: "3"`, quotes included) as `3` and still calls the request valid."""
    meta = case.meta
    if meta is None or meta.generation.mode.name != "POSITIVE" or not case.headers:
        return
    for parameter in case.operation.definition.raw.get("parameters", []):
        pattern = parameter.get("schema", {}).get("pattern")
        name = parameter["name"]
        if parameter.get("in") != "header" or not pattern or case.headers.get(name) is None:
            continue
        value = str(case.headers[name])
        if not re.search(pattern, value) and re.search(pattern, f'"{value}"'):
            case.headers[name] = f'"{value}"'
