"""What a composition root calls: `authenticator_for(settings)` (the key set read now, so a
wrong JWKS stops the service at start-up; or, only by the explicit setting, authentication
off with a loud warning), and `install_auth(app, authenticator)` (the middleware, the error
answers and the OpenAPI description of every route's access)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Scope

from shared.auth.access import AccessDeniedError, access_of
from shared.auth.asgi import OPEN_PATHS, Authenticate, Authenticator
from shared.auth.keys import KeySet, Read, from_file, from_url, inline
from shared.auth.principal import principal_in
from shared.auth.tokens import TokenVerifier
from shared.ratelimit import RateLimit, RateLimits, client_address
from shared.settings import AuthSettings

log = logging.getLogger("bahi.auth")

OFF_WARNING = (
    "AUTHENTICATION IS OFF (BAHI_AUTH_DISABLED=true): %s serves every request unrestricted, as actor "
    "'anonymous', with no scope or customer check. Never do this outside a local experiment."
)


class AuthConfigError(ValueError):
    """Settings that cannot authenticate anything: named, at start-up."""


def algorithms_of(settings: AuthSettings) -> frozenset[str]:
    names = frozenset(a.strip() for a in settings.auth_algorithms.split(",") if a.strip())
    unknown = sorted(names - set(jwt.algorithms.get_default_algorithms()) | {n for n in names if n.lower() == "none"})
    if unknown or not names:
        raise AuthConfigError(f"BAHI_AUTH_ALGORITHMS: not signing algorithms: {unknown or 'none given'}")
    return names


def authenticator_for(settings: AuthSettings, service: str) -> Authenticator:
    if settings.auth_disabled:
        log.warning(OFF_WARNING, service)
        return Authenticator(None)
    sources: list[tuple[str, Read]] = []
    if settings.auth_jwks_file:
        sources.append((settings.auth_jwks_file, from_file(settings.auth_jwks_file)))
    if settings.auth_jwks_url:
        sources.append((settings.auth_jwks_url, from_url(settings.auth_jwks_url)))
    if settings.auth_jwks:
        sources.append(("inline JWKS", inline(settings.auth_jwks)))
    if len(sources) != 1:
        raise AuthConfigError(
            "set one of BAHI_AUTH_JWKS_FILE, BAHI_AUTH_JWKS_URL or BAHI_AUTH_JWKS (the verification keys); "
            "`python -m shared.auth init` makes a local key and JWKS"
        )
    algorithms = algorithms_of(settings)
    keys = KeySet(
        *sources[0],
        algorithms,
        refresh_seconds=settings.auth_jwks_refresh_seconds,
        cooldown_seconds=settings.auth_jwks_cooldown_seconds,
    )
    keys.load()
    verifier = TokenVerifier(
        keys,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        algorithms=algorithms,
        leeway_seconds=settings.auth_leeway_seconds,
        cache_size=settings.auth_token_cache_size,
    )
    return Authenticator(verifier)


async def _denied(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccessDeniedError)
    return exc.response


def install_auth(app: FastAPI, authenticator: Authenticator, *, limits: RateLimits | None = None) -> None:
    """Authenticate every request of `app` but the open ones, and answer refusals. Call it
    before `shared.web.install_health` (whose request metrics then count the 401s too), after
    any middleware that must see only authenticated requests (the query service's fast path).
    With `limits`: per principal behind the authentication, per client address in front."""
    if limits is not None and limits.principal is not None:
        app.add_middleware(RateLimit, buckets=limits.principal, key=_subject, what="principal", open_paths=OPEN_PATHS)
    app.add_middleware(Authenticate, authenticator=authenticator)
    if limits is not None and limits.client is not None:
        app.add_middleware(
            RateLimit, buckets=limits.client, key=client_address, what="client address", open_paths=OPEN_PATHS
        )
    app.add_exception_handler(AccessDeniedError, _denied)
    _describe_access(app)


def _subject(scope: Scope) -> str | None:
    principal = principal_in(scope)
    return None if principal is None or principal.unrestricted else principal.subject


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Every API route `app` serves, with the path it is served at. FastAPI (0.16x) keeps an
    included router as one entry of `app.routes` whose `effective_route_contexts()` are its
    routes as included; a route added to the app itself is listed as it is."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route.path_format, route
        for context in getattr(route, "effective_route_contexts", list)():
            if isinstance(context.original_route, APIRoute):
                yield context.path_format, context.original_route


def _describe_access(app: FastAPI) -> None:
    """Each operation of the OpenAPI document says whether customer tokens may call it
    (`x-bahi-customers`: never, any, own); the bearer scheme and the scope are FastAPI's."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()  # FastAPI's, cached by FastAPI
        paths = schema.get("paths", {})
        for path, route in api_routes(app):
            access = access_of(route)
            for method in route.methods or ():
                operation = paths.get(path, {}).get(method.lower())
                if access is not None and operation is not None:
                    operation["x-bahi-customers"] = access.customer_rule
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
