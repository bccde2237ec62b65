"""The FastAPI application of the query service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from query_service.api import lists, routes
from query_service.api.fast import FastReads
from shared.web import NO_OTEL, Check, install_health, install_problem_handlers


def build_app(*, lifespan: Any, ready: Check, fast_reads: bool = True) -> FastAPI:
    app = FastAPI(title="Bahi query service", version="0.1.0", lifespan=lifespan, telemetry=NO_OTEL)
    install_problem_handlers(app)
    if fast_reads:
        app.add_middleware(FastReads)  # added before install_health's metrics: inside them
    install_health(app, "query", ready)
    app.include_router(routes.router)
    app.include_router(lists.router)
    return app
