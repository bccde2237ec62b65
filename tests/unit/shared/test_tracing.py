"""The tracing set-up (`shared.tracing`): off by default, on with an OTLP endpoint from the
standard variables; the command's span continues the caller's trace, answers its context in
`traceresponse` and is what its events store; server spans are named by route template; a
batch gets one span per trace it holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import Receive, Scope, Send

from command_service.api import build_app
from command_service.bootstrap import services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from shared import tracing
from shared.settings import TracingSettings
from shared.tracing import TraceRequests, batch_spans, flush_tracing, setup_tracing, trace_requests
from tests.support import auth
from tests.support.otlp import otlp_receiver

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
CALLER = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
OFF = TracingSettings(otlp_endpoint="", otlp_traces_endpoint="")
ENDPOINT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "BAHI_OTLP_ENDPOINT",
    "BAHI_OTLP_TRACES_ENDPOINT",
)


def product(sku: str) -> dict[str, Any]:
    return {"sku": sku, "name": "Phone", "category": "books", "price_paise": 1000, "stock": 5}


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert setup_tracing(OFF, "bahi-test", exporter=exporter)
    yield exporter
    setup_tracing(OFF, "bahi-test")


def finished(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    flush_tracing()
    return list(exporter.get_finished_spans())


@pytest.fixture
async def commands() -> AsyncIterator[httpx.AsyncClient]:
    """The command API over an in-memory store, built after the test's tracing set-up."""
    services = services_for(InMemoryEventStore(), settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=auth.authenticator())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        yield client


async def stored_traceparent(client: httpx.AsyncClient, answer: httpx.Response) -> str | None:
    """The traceparent in the metadata of the event the command `answer` answered for."""
    stream_id = answer.json()["consistency_token"].rsplit(":", 2)[0]
    events = (await client.get(f"/v1/streams/{stream_id}")).json()["events"]
    value: str | None = events[0]["metadata"]["traceparent"]
    return value


def test_no_endpoint_means_no_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.traces_url is None
    assert setup_tracing(settings, "bahi-command") is False
    assert tracing.active_tracer() is None
    assert tracing.current_traceparent() is None
    app = FastAPI()
    trace_requests(app)
    assert app.user_middleware == []  # off, a request pays nothing for tracing


async def test_off_the_caller_traceparent_is_stored_as_given(commands: httpx.AsyncClient) -> None:
    setup_tracing(OFF, "bahi-command")
    answer = await commands.post("/v1/products", json=product("P-OFF"), headers={"traceparent": CALLER})
    assert answer.status_code == 201 and "traceresponse" not in answer.headers
    assert await stored_traceparent(commands, answer) == CALLER


def test_the_endpoint_comes_from_opentelemetrys_standard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert Settings().traces_url == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:4318/v1/traces")
    assert Settings().traces_url == "http://other:4318/v1/traces"
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BAHI_OTLP_ENDPOINT", "http://bahi-collector:4318")
    assert Settings().traces_url == "http://bahi-collector:4318/v1/traces"


def test_with_an_endpoint_spans_go_there_over_otlp_http() -> None:
    with otlp_receiver() as receiver:
        assert setup_tracing(TracingSettings(otlp_endpoint=receiver.url, otlp_traces_endpoint=""), "bahi-test")
        try:
            tracer = tracing.active_tracer()
            assert tracer is not None
            with tracer.start_as_current_span("a span") as span:
                trace_id = f"{span.get_span_context().trace_id:032x}"
            flush_tracing()
            spans = receiver.wait_for(lambda spans: bool(spans), 10, trace_id=trace_id)
        finally:
            setup_tracing(OFF, "bahi-test")
    assert [(s.service, s.name) for s in spans] == [("bahi-test", "a span")]


async def test_the_command_span_continues_the_callers_trace_and_its_events_store_it(
    exported: InMemorySpanExporter, commands: httpx.AsyncClient
) -> None:
    answer = await commands.post("/v1/products", json=product("P-1"), headers={"traceparent": CALLER})
    assert answer.status_code == 201, answer.text
    version, trace_id, span_id, flags = answer.headers["traceresponse"].split("-")
    assert (version, trace_id, flags) == ("00", CALLER_TRACE, "01") and span_id != CALLER_SPAN
    assert await stored_traceparent(commands, answer) == answer.headers["traceresponse"]
    [command] = [s for s in finished(exported) if s.name == "POST /v1/products"]
    assert command.kind is SpanKind.SERVER and command.attributes is not None
    assert command.parent is not None and f"{command.parent.span_id:016x}" == CALLER_SPAN
    assert f"{command.context.span_id:016x}" == span_id
    assert command.attributes["bahi.command"] == "CreateProduct"
    assert command.attributes["http.route"] == "/v1/products"
    assert command.attributes["http.response.status_code"] == 201


async def test_a_command_without_traceparent_starts_a_trace(
    exported: InMemorySpanExporter, commands: httpx.AsyncClient
) -> None:
    answer = await commands.post("/v1/products", json=product("P-2"))
    traceresponse = answer.headers["traceresponse"]
    assert await stored_traceparent(commands, answer) == traceresponse
    [command] = [s for s in finished(exported) if s.name == "POST /v1/products"]
    assert command.parent is None and traceresponse.split("-")[1] == f"{command.context.trace_id:032x}"


@pytest.fixture
def sampled_out() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    settings = TracingSettings(otlp_endpoint="", otlp_traces_endpoint="", trace_sample_ratio=0)
    assert setup_tracing(settings, "bahi-test", exporter=exporter)
    yield exporter
    setup_tracing(OFF, "bahi-test")


async def test_a_trace_sampled_out_is_stored_unsampled_and_records_nothing(
    sampled_out: InMemorySpanExporter, commands: httpx.AsyncClient
) -> None:
    answer = await commands.post("/v1/products", json=product("P-3"))
    assert int(answer.headers["traceresponse"].rsplit("-", 1)[1], 16) & 1 == 0  # not sampled
    assert await stored_traceparent(commands, answer) == answer.headers["traceresponse"]
    assert finished(sampled_out) == []


@dataclass(frozen=True)
class _Matched:
    path: str


async def _fast_read(scope: Scope, receive: Receive, send: Send) -> None:
    """What a fast path does: it leaves the route template in the scope and answers itself."""
    scope["route"] = _Matched("/v1/things/{thing_id}")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def test_server_spans_are_named_by_route_template_even_off_fastapis_router(
    exported: InMemorySpanExporter,
) -> None:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "boom":
            raise RuntimeError("a bug")
        return {"id": thing_id}

    trace_requests(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/things/a", headers={"traceparent": CALLER})).status_code == 200
        assert (await client.get("/things/boom")).status_code == 500
        assert (await client.get("/nowhere")).status_code == 404
    fast = httpx.ASGITransport(app=TraceRequests(_fast_read))
    async with httpx.AsyncClient(transport=fast, base_url="http://t") as client:
        answer = await client.get("/v1/things/t-1", headers={"traceparent": CALLER})
    assert answer.headers["traceresponse"].split("-")[1] == CALLER_TRACE
    spans = finished(exported)
    assert [(s.name, s.status.status_code) for s in spans] == [
        ("GET /things/{thing_id}", StatusCode.UNSET),
        ("GET /things/{thing_id}", StatusCode.ERROR),
        ("GET", StatusCode.UNSET),  # no route matched: the method alone, as OpenTelemetry names it
        ("GET /v1/things/{thing_id}", StatusCode.UNSET),
    ]
    assert f"{spans[0].context.trace_id:032x}" == CALLER_TRACE == f"{spans[3].context.trace_id:032x}"


async def test_a_batch_gets_a_span_per_trace_and_destination_each_a_child_of_its_command(
    exported: InMemorySpanExporter,
) -> None:
    other = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    tracer = tracing.active_tracer()
    assert tracer is not None
    traces = {(CALLER, "bahi.order.events"): 2, (other, "bahi.order.events"): 1, ("not a traceparent", "t"): 4}
    spans = batch_spans(tracer, "process", traces, kind=SpanKind.CONSUMER, attributes={"bahi.projection": "p"})
    failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    failed.set_exception(RuntimeError("broker down"))
    spans.end_with(failed)
    ended = {s.attributes["messaging.batch.message_count"]: s for s in finished(exported) if s.attributes}
    assert sorted(ended) == [1, 2]  # the malformed traceparent got no span
    assert {(s.name, s.kind, s.status.status_code) for s in ended.values()} == {
        ("process bahi.order.events", SpanKind.CONSUMER, StatusCode.ERROR)
    }
    parents = {n: (f"{s.context.trace_id:032x}", f"{s.parent.span_id:016x}") for n, s in ended.items() if s.parent}
    assert parents == {1: tuple(other.split("-")[1:3]), 2: (CALLER_TRACE, CALLER_SPAN)}
    assert ended[2].attributes == {
        "bahi.projection": "p",
        "messaging.destination.name": "bahi.order.events",
        "messaging.batch.message_count": 2,
    }
