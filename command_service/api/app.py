"""The FastAPI application: every context's routers, one mapping of errors to problem+json, and
the door every request passes (`shared.auth`: bearer tokens, rate limits per principal and per
client address)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from command_service.api import streams
from command_service.event_store.pool import UNREACHABLE
from command_service.handling import (
    CommandRegistry,
    ConflictError,
    IdempotencyKeyReusedError,
    PreconditionFailedError,
)
from shared.auth import Authenticator, install_auth
from shared.errors import DomainError
from shared.openapi import document_errors, document_links
from shared.ratelimit import RateLimits
from shared.routes import include_routes, index_routes
from shared.tracing import trace_requests
from shared.web import (
    NO_OTEL,
    install_health,
    install_problem_handlers,
    install_unavailable,
    problem,
)

if TYPE_CHECKING:
    from command_service.bootstrap import Services

COMMAND_ERRORS = {
    400: "The body is not JSON (`field`: body)",
    409: "The current state does not allow the command (the problem names what does), or a concurrent change",
    412: "If-Match named another version than the current one (`current_version`)",
    429: "Rate limited: retry after `Retry-After` seconds",
    503: "The event store is unreachable: retry after `Retry-After` seconds with the same Idempotency-Key",
}


def build_app(
    services: Callable[[], Services],
    registry: CommandRegistry,
    lifespan: Any = None,
    *,
    auth: Authenticator,
    limits: RateLimits | None = None,
) -> FastAPI:
    """The API of every context in `registry` (its routers), one error mapping for all, every
    request authenticated by `auth` (and, given `limits`, rate limited)."""
    app = FastAPI(title="Bahi command service", version="0.1.0", lifespan=lifespan, telemetry=NO_OTEL)
    app.state.services = services
    install_problem_handlers(app)
    install_unavailable(app, UNREACHABLE)  # PostgreSQL gone: 503 + Retry-After, counted by the request metrics
    install_auth(app, auth, limits=limits)  # inside the request metrics (installed next): 401s and 429s count

    async def ready() -> None:
        await services().ready()

    install_health(app, "command", ready)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        title = "Not found" if exc.status == 404 else "Conflict"
        return problem(
            exc.status, title, exc.detail, type_=f"https://bahi.dev/problems/{type(exc).__name__}", **exc.extra
        )

    @app.exception_handler(IdempotencyKeyReusedError)
    async def key_reused(request: Request, exc: IdempotencyKeyReusedError) -> JSONResponse:
        key = request.headers.get("Idempotency-Key", str(exc))  # as the client sent it, not as stored
        return problem(
            422, "Idempotency-Key reused", f"{key} was used with a different request", field="Idempotency-Key"
        )

    @app.exception_handler(PreconditionFailedError)
    async def precondition(_: Request, exc: PreconditionFailedError) -> JSONResponse:
        return problem(412, "Precondition failed", str(exc), field="If-Match", current_version=exc.actual)

    @app.exception_handler(ConflictError)
    async def conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return problem(409, "Concurrent modification", str(exc))

    for router in registry.routers:
        include_routes(app, router)
    include_routes(app, streams.router)
    index_routes(app)
    document_errors(app, COMMAND_ERRORS)
    document_links(app)
    trace_requests(app)  # outermost: the request metrics inside its span
    return app
