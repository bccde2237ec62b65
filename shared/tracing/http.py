"""A server span per HTTP request, continuing the caller's W3C trace context (`traceparent`,
`tracestate`), named by the route template once the app matched one, and answered in a
`traceresponse` header (W3C Trace Context Level 2: the trace id and this span's id), so a
client finds the trace of its request.

Plain ASGI, outermost: it covers what FastAPI's router never sees (the query service's fast
reads) and the request metrics. Installed only when tracing is on (`trace_requests`): off,
a request pays nothing for it."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, StatusCode, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.tracing import setup
from shared.tracing.context import traceparent_of

RawHeaders = Sequence[tuple[bytes, bytes]]


class _AsgiHeaders(Getter[RawHeaders]):
    def get(self, carrier: RawHeaders, key: str) -> list[str] | None:
        name = key.encode("latin-1")
        values = [value.decode("latin-1") for header, value in carrier if header == name]
        return values or None

    def keys(self, carrier: RawHeaders) -> list[str]:
        return [header.decode("latin-1") for header, _ in carrier]


_HEADERS = _AsgiHeaders()
_W3C = TraceContextTextMapPropagator()


class TraceRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = setup.active_tracer()
        if scope["type"] != "http" or tracer is None:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        parent = _W3C.extract(scope["headers"], getter=_HEADERS)
        span = tracer.start_span(
            method,
            parent,
            SpanKind.SERVER,
            attributes={
                "http.request.method": method,
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
            },
        )
        traceresponse = (b"traceresponse", traceparent_of(span.get_span_context()).encode())

        async def send_traced(message: Message) -> None:
            if message["type"] == "http.response.start":
                status: int = message["status"]
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
                message = {**message, "headers": [*message.get("headers", ()), traceresponse]}
            await send(message)

        token = otel_context.attach(set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send_traced)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(StatusCode.ERROR, type(exc).__name__)
            raise
        finally:
            otel_context.detach(token)
            route = getattr(scope.get("route"), "path", None)  # the router, or a fast path, sets it
            if route is not None:
                span.set_attribute("http.route", route)
                span.update_name(f"{method} {route}")
            span.end()


def trace_requests(app: FastAPI) -> None:
    """Trace every request of `app` when tracing is on; add this after every other middleware
    (it is then the outermost one)."""
    if setup.active_tracer() is not None:
        app.add_middleware(TraceRequests)
