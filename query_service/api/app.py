"""The FastAPI application of the query service: every context's routers (from the registry),
the fast path for their plain reads, problem+json errors and the health endpoints. Every
request but the open ones passes `shared.auth.Authenticate` first, the fast reads too; each
route's declared access is checked by FastAPI for the routed reads and by the fast path for
its own."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pymongo.errors import ConnectionFailure

from query_service.api.fast import FastReads
from query_service.registry import QueryRegistry, default_registry
from shared.auth import Authenticator, install_auth
from shared.openapi import document_errors, document_links
from shared.routes import include_routes, index_routes
from shared.tracing import trace_requests
from shared.web import (
    NO_OTEL,
    Check,
    install_health,
    install_problem_handlers,
    install_unavailable,
)


def build_app(
    *,
    lifespan: Any,
    ready: Check,
    auth: Authenticator,
    fast_reads: bool = True,
    registry: QueryRegistry | None = None,
) -> FastAPI:
    registry = registry or default_registry()
    app = FastAPI(title="Bahi query service", version="0.1.0", lifespan=lifespan, telemetry=NO_OTEL)
    app.state.catalog = registry.catalog  # list reads map a token's stream to its stream type with it
    install_problem_handlers(app)
    if fast_reads:
        # Added first: behind the authentication and inside install_health's metrics, which
        # count these reads too.
        app.add_middleware(FastReads, reads=dict(registry.plain_reads.items()), access=registry.plain_read_access())
    # MongoDB gone (refused, dropped, no server selectable): 503 + Retry-After, for the fast reads too.
    install_unavailable(app, (ConnectionFailure, OSError))
    install_auth(app, auth)
    install_health(app, "query", ready)
    for router in registry.routers:
        include_routes(app, router)
    index_routes(app)
    document_errors(app, {503: "MongoDB is unreachable: retry after `Retry-After` seconds"})
    document_links(app)
    trace_requests(app)  # outermost: the fast reads and the request metrics inside its span
    return app
