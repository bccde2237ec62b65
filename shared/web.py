"""HTTP conventions shared by the command and query services: problem+json errors
(RFC 9457) naming the offending field, a 503 with `Retry-After` while a store is unreachable,
/healthz, /readyz and /metrics, and how a service is served."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# Bahi's services export Prometheus metrics (below). FastAPI's native OpenTelemetry would
# look up the global tracer, meter and logger providers on every request (CPU paid by
# every request, a read of an order included) only to find none configured: it is off.
# `python -m tests.bench.bench_query` measures the request path this is part of.
NO_OTEL: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

HTTP_REQUESTS = Counter("bahi_http_requests_total", "HTTP requests", ["service", "route", "status"])
HTTP_LATENCY = Histogram("bahi_http_request_seconds", "HTTP request latency", ["service", "route"])


def problem(status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _validation_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    return problem(
        422,
        "Invalid request",
        f"{first['field']}: {first['message']}",
        type_="https://bahi.dev/problems/validation",
        errors=errors,
    )


class InvalidInputError(Exception):
    """A request input that a dependency refused (a header, a parameter): a 422 naming it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def invalid(field: str, message: str) -> JSONResponse:
    """422 problem+json naming the offending input, shaped like a validation error's."""
    return problem(
        422,
        "Invalid request",
        f"{field}: {message}",
        field=field,
        type_="https://bahi.dev/problems/validation",
        errors=[{"field": field, "message": message, "type": "value_error"}],
    )


async def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    return invalid(exc.field, exc.message)


async def _http_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # A 400 is FastAPI's for a body that is not JSON: the problem names the body like a 422 names its field.
    named = {"field": "body"} if exc.status_code == 400 else {}
    response = problem(exc.status_code, str(exc.detail), str(exc.detail), **named)
    response.headers.update(exc.headers or {})  # a 405's Allow (RFC 9110 §15.5.6)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(InvalidInputError, _invalid_input)


UNAVAILABLE_RETRY_AFTER_SECONDS = 1
"""What a 503 asks the client to wait: the store is usually back within seconds (a restart)."""


def install_unavailable(
    app: FastAPI, unavailable: tuple[type[BaseException], ...], *, retry_after: int = UNAVAILABLE_RETRY_AFTER_SECONDS
) -> None:
    """A request that fails because the service's store is unreachable (the `unavailable`
    errors: refused or dropped connections, a server shutting down or starting up) answers 503
    problem+json with `Retry-After`, never a 500. For a command the outcome is unknown (the
    commit may have happened before the connection dropped): the client retries with the same
    Idempotency-Key, which answers the first result if there was one.

    Plain ASGI, so that it also covers what answers outside FastAPI's routes (the query
    service's fast reads); install it before the middleware that should count its answers."""
    app.add_middleware(_Unavailable, unavailable=unavailable, retry_after=retry_after)


class _Unavailable:
    def __init__(self, app: ASGIApp, unavailable: tuple[type[BaseException], ...], retry_after: int) -> None:
        self.app = app
        self.unavailable = unavailable
        self.retry_after = str(retry_after)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except self.unavailable as exc:
            if started:  # too late for another status: the connection is cut, as for any failure
                raise
            log.warning("store unavailable: %s: %s", type(exc).__name__, exc)
            response = problem(
                503,
                "Service unavailable",
                f"a store this service depends on is unreachable ({type(exc).__name__}); retry after "
                f"{self.retry_after} s (a command with the same Idempotency-Key answers its first result)",
                type_="https://bahi.dev/problems/unavailable",
            )
            response.headers["Retry-After"] = self.retry_after
            await response(scope, receive, send)


Check = Callable[[], Awaitable[object]]


def install_health(app: FastAPI, service: str, ready: Check) -> None:
    """/healthz: the process answers. /readyz: its dependencies answer. /metrics: Prometheus."""

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            await ready()
        except Exception as exc:  # any failing dependency means "not ready", never a 500
            return problem(503, "Not ready", f"{type(exc).__name__}: {exc}")
        return JSONResponse({"status": "ready", "service": service})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(_Measure, service=service)


class _Measure:
    """Counts and times every HTTP request by route template and status. Plain ASGI: Starlette's
    `BaseHTTPMiddleware` (`@app.middleware("http")`) adds tasks and stream wrappers to every
    request, a sizeable share of the CPU of a whole read of an order (`python -m
    tests.bench.bench_query` measures the request path)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app starts a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")  # the router sets it in this scope
            HTTP_REQUESTS.labels(self.service, path, str(status)).inc()
            HTTP_LATENCY.labels(self.service, path).observe(time.perf_counter() - started)


def serve(app: FastAPI, *, host: str, port: int) -> None:
    """Serve an HTTP service until SIGINT/SIGTERM, the same way for every service: uvloop and
    httptools, no access log (requests are counted in /metrics), logging as `setup_logging` set it."""
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, loop="uvloop", http="httptools")
