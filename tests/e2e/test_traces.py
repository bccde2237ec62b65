"""One trace from a command's answer to the projector's span of its events, and on to a query
that continues it: the services and the relay as separate OS processes, each sending its spans
with its real OTLP/HTTP exporter to a receiver in the test process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from shared.commerce.read_models import ORDER_VIEW
from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.otlp import OtlpReceiver, ReceivedSpan, otlp_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ADDRESS = {"name": "Ravi", "line1": "4 Park Street", "city": "Kolkata", "state": "WB", "pincode": "700016"}


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as value:
        yield value


@pytest.fixture(scope="module")
async def traced_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_traces") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(traced_infra: Infra, receiver: OtlpReceiver) -> Iterator[dict[str, str]]:
    # OTEL_BSP_SCHEDULE_DELAY: the SDK's batch processor sends every 100 ms, not every 5 s.
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    infra = traced_infra
    services = [
        processes.command(infra, **env),
        processes.relay(infra, **env),
        processes.projector(infra, **env),
        processes.query(infra, **env),
    ]
    with processes.running(services) as running:
        yield {name: service.url for name, service in running.items()}


def one(spans: list[ReceivedSpan], service: str, name: str, **attributes: object) -> ReceivedSpan | None:
    found = [
        s
        for s in spans
        if s.service == service and s.name == name and all(s.attributes.get(k) == v for k, v in attributes.items())
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_one_trace_id_from_the_commands_answer_to_the_projectors_span_and_a_query(
    bahi: dict[str, str], receiver: OtlpReceiver, traced_infra: Infra
) -> None:
    order_events, product_events = (f"{traced_infra.topic_prefix}.{t}.events" for t in ("order", "product"))
    sku = unique("SKU-")
    product = {"sku": sku, "name": "Boat Airdopes 141", "category": "electronics", "price_paise": 129900, "stock": 25}
    assert auth.post(f"{bahi['command']}/v1/products", json=product).status_code == 201
    order = {"customer_id": "cust-trace", "items": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS}
    placed = auth.post(f"{bahi['command']}/v1/orders", json={**order, "payment_method": "COD"})
    assert placed.status_code == 201, placed.text
    _, trace_id, command_span, _ = placed.headers["traceresponse"].split("-")
    order_id, order_stream = placed.json()["order_id"], placed.json()["consistency_token"].rsplit(":", 2)[0]

    def arrived(spans: list[ReceivedSpan]) -> bool:
        return (
            one(spans, "bahi-projector", f"process {order_events}", **{"bahi.projection": ORDER_VIEW}) is not None
            and one(spans, "bahi-relay", f"send {order_events}") is not None
            and one(spans, "bahi-relay", f"send {product_events}") is not None
            and one(spans, "bahi-command", "event_store.append") is not None
            and one(spans, "bahi-command", "POST /v1/orders") is not None
        )

    spans = receiver.wait_for(arrived, 60, trace_id=trace_id)
    command = one(spans, "bahi-command", "POST /v1/orders")
    assert command is not None and command.span_id == command_span and command.kind == "server"
    assert command.attributes["bahi.command"] == "PlaceOrder" and command.attributes["bahi.stream_id"] == order_stream
    children = [
        one(spans, "bahi-command", "event_store.append"),
        one(spans, "bahi-relay", f"send {order_events}"),
        one(spans, "bahi-relay", f"send {product_events}"),
        one(spans, "bahi-projector", f"process {order_events}", **{"bahi.projection": ORDER_VIEW}),
    ]
    assert [(s.kind, s.parent_span_id, s.error) for s in children if s is not None] == [
        ("client", command_span, False),
        ("producer", command_span, False),
        ("producer", command_span, False),
        ("consumer", command_span, False),
    ]
    stored = auth.get(f"{bahi['command']}/v1/streams/{order_stream}").json()["events"]
    assert {e["metadata"]["traceparent"] for e in stored} == {placed.headers["traceresponse"]}

    # A client that goes on to read its order sends the trace on: both the fast read and the
    # routed one (a query string goes to FastAPI's router) continue it.
    for query in ("", "?min_version=1"):
        read = auth.get(
            f"{bahi['query']}/v1/orders/{order_id}{query}", headers={"traceparent": placed.headers["traceresponse"]}
        )
        assert read.status_code == 200, read.text
        assert read.headers["traceresponse"].split("-")[1] == trace_id
    reads = receiver.wait_for(
        lambda spans: len([s for s in spans if s.service == "bahi-query"]) == 2, 30, trace_id=trace_id
    )
    queries = [(s.name, s.parent_span_id, s.attributes["url.path"]) for s in reads if s.service == "bahi-query"]
    assert queries == [("GET /v1/orders/{order_id}", command_span, f"/v1/orders/{order_id}")] * 2
