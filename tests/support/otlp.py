"""A tiny OTLP/HTTP trace receiver (protobuf, as OpenTelemetry's exporter sends it), run in the
test process on a free port: point `OTEL_EXPORTER_OTLP_ENDPOINT` at `url` and the services'
real exporters send it their spans, which tests then wait for (`wait_for`: a condition with a
deadline, no sleeps)."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

KINDS = {
    Span.SPAN_KIND_INTERNAL: "internal",
    Span.SPAN_KIND_SERVER: "server",
    Span.SPAN_KIND_CLIENT: "client",
    Span.SPAN_KIND_PRODUCER: "producer",
    Span.SPAN_KIND_CONSUMER: "consumer",
}


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    error: bool


def _value(value: AnyValue) -> Any:
    field = value.WhichOneof("value")
    return None if field is None else getattr(value, field)


def decode(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest.FromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    ReceivedSpan(
                        service=str(resource.get("service.name")),
                        name=span.name,
                        kind=KINDS.get(span.kind, "unspecified"),
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        error=span.status.code == Status.STATUS_CODE_ERROR,
                    )
                )
    return spans


class OtlpReceiver:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._changed = threading.Condition()
        self.spans: list[ReceivedSpan] = []
        self.failures: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def received(self, body: bytes, encoding: str | None) -> None:
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        spans = decode(body)
        with self._changed:
            self.spans.extend(spans)
            self._changed.notify_all()

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._changed:
            return [s for s in self.spans if s.trace_id == trace_id]

    def wait_for(
        self, found: Callable[[list[ReceivedSpan]], bool], timeout: float = 30.0, *, trace_id: str
    ) -> list[ReceivedSpan]:
        """The spans of `trace_id` once `found` holds for them; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                spans = [s for s in self.spans if s.trace_id == trace_id]
                if found(spans):
                    return spans
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted(f"{s.service}: {s.name}" for s in spans)
                    raise AssertionError(f"trace {trace_id}: after {timeout}s only {names}; failures {self.failures}")
                self._changed.wait(left)


def _handler(receiver: list[OtlpReceiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                if self.path != "/v1/traces":
                    raise ValueError(f"unexpected path {self.path}")
                receiver[0].received(body, self.headers.get("Content-Encoding"))
            except Exception as exc:  # the exporter retries a 4xx/5xx; the test sees the reason
                receiver[0].failures.append(f"{type(exc).__name__}: {exc}")
                self.send_response(400)
                self.end_headers()
                return
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def otlp_receiver() -> Iterator[OtlpReceiver]:
    holder: list[OtlpReceiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder.append(OtlpReceiver(server))
    thread = threading.Thread(target=server.serve_forever, name="otlp-receiver", daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
