"""Property-based fuzzing of the command and query services from their own OpenAPI documents
(schemathesis), against the services run as processes on the real PostgreSQL, Kafka and MongoDB
(with a relay and a projector, so the views the query service reads fill up): every operation
with generated valid and invalid requests (examples, boundary cases, random ones), then the
stateful phase (sequences following the documents' links: a created product restocked, an order
placed then paid or cancelled, a listed account read). All of schemathesis' default checks hold
for every answer: no server error, each status, content type, header and body as documented,
a request without a valid token refused, invalid requests refused and valid ones accepted.

The documents are built by the services' own `build_app` here (pytest collects the operations
before any service runs); `test_the_documents_are_the_served_ones` checks they are what the
processes serve. Deterministic (derandomized): CI sends the same requests every run.
`fuzzing.SENT` counts them; the last test checks each service got enough."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from schemathesis import Case

from command_service.api import build_app as command_app
from command_service.handling import default_registry
from query_service.api import build_app as query_app
from tests.support import auth, fuzzing, processes
from tests.support.infra import Infra, fresh_infra

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

MIN_REQUESTS = 500


async def _ready() -> None:
    return None


# Only their documents are used: the services themselves run as processes (`bahi`).
COMMAND = fuzzing.document(command_app(lambda: None, default_registry(), auth=auth.authenticator()))  # type: ignore[arg-type, return-value]
QUERY = fuzzing.document(query_app(lifespan=None, ready=_ready, auth=auth.authenticator()))
TITLES = {"command": COMMAND.raw_schema["info"]["title"], "query": QUERY.raw_schema["info"]["title"]}


@pytest.fixture(scope="module")
async def fuzz_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_fuzz") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(fuzz_infra: Infra) -> Iterator[dict[str, str]]:
    infra = fuzz_infra
    # A read given a consistency token or a `min_version` its view never reaches waits this long
    # (3 s by default), and most fuzzed reads name such a version.
    query = processes.query(infra, BAHI_CONSISTENCY_WAIT_SECONDS="0.05")
    services = [processes.command(infra), processes.relay(infra), processes.projector(infra), query]
    with processes.running(services) as running:
        fuzzing.served_at(COMMAND, running["command"].url)
        fuzzing.served_at(QUERY, running["query"].url)
        yield {name: service.url for name, service in running.items()}


def test_the_documents_are_the_served_ones(bahi: dict[str, str]) -> None:
    for name, schema in (("command", COMMAND), ("query", QUERY)):
        served = httpx.get(f"{bahi[name]}/openapi.json", timeout=10).json()
        assert served == schema.raw_schema, name


@COMMAND.parametrize()
@fuzzing.per_operation(max_examples=12)
def test_command_operation(case: Case, bahi: dict[str, str]) -> None:
    case.call_and_validate(base_url=bahi["command"])


def test_command_sequences(bahi: dict[str, str]) -> None:
    fuzzing.run_sequences(COMMAND, fuzzing.stateful(max_examples=40, steps=6))


@QUERY.parametrize()
@fuzzing.per_operation(max_examples=25)
def test_query_operation(case: Case, bahi: dict[str, str]) -> None:
    case.call_and_validate(base_url=bahi["query"])


def test_query_sequences(bahi: dict[str, str]) -> None:
    fuzzing.run_sequences(QUERY, fuzzing.stateful(max_examples=20, steps=4))


def test_each_service_got_enough_requests() -> None:
    sent = {name: fuzzing.SENT[title] for name, title in TITLES.items()}
    print(f"requests sent by the fuzzing: {sent}")
    assert min(sent.values()) >= MIN_REQUESTS, sent
