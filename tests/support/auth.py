"""The test suite's identity provider: one ES256 key pair per test process, its JWKS in a
temporary file, and tokens signed with it. The services under test trust it like a real
client's: in-process apps through `authenticator()` or the environment (`ENV`, which
tests/conftest.py puts in `os.environ` so that a `Settings()` reads it), services run as
processes through `tests.support.processes.service_env`.

`STAFF` is the Authorization header of a staff token holding every scope any route declares;
`customer(id)` a customer's. `get` and `post` are httpx's with the staff token unless the
call gives its own Authorization header."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from shared.auth import CUSTOMER, Authenticator, access_of, authenticator_for
from shared.auth.local import JWKS_FILE as JWKS_FILE_NAME
from shared.auth.local import KEY_FILE, jwks_of, load_signing_key, mint, new_signing_key, pem_of
from shared.settings import AuthSettings

ISSUER = "https://idp.bahi.test"
AUDIENCE = "bahi-tests"
_SHARED = "BAHI_TEST_AUTH_DIR"
"""Where this process tree's test key lives: a process started by a test or a benchmark (a
service, a benchmark's own server) that imports this module uses its parent's key, not one of
its own, so the tokens its parent mints verify there."""


def _test_key() -> tuple[Any, Path]:
    if os.environ.get(_SHARED) and (Path(os.environ[_SHARED]) / KEY_FILE).exists():
        directory = Path(os.environ[_SHARED])
        return load_signing_key((directory / KEY_FILE).read_bytes()), directory / JWKS_FILE_NAME
    directory = Path(tempfile.mkdtemp(prefix="bahi-test-auth-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    key = new_signing_key()
    (directory / KEY_FILE).write_bytes(pem_of(key))
    (directory / JWKS_FILE_NAME).write_text(json.dumps(jwks_of(key)))
    os.environ[_SHARED] = str(directory)
    return key, directory / JWKS_FILE_NAME


KEY, JWKS_FILE = _test_key()

ENV = {"BAHI_AUTH_JWKS_FILE": str(JWKS_FILE), "BAHI_AUTH_ISSUER": ISSUER, "BAHI_AUTH_AUDIENCE": AUDIENCE}


def use_in_environment() -> None:
    """Every `Settings()` made in this process from now on trusts the test key."""
    os.environ.update(ENV)


def settings(**overrides: Any) -> AuthSettings:
    return AuthSettings(
        auth_disabled=False,
        auth_jwks_file=str(JWKS_FILE),
        auth_jwks_url="",
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        **overrides,
    )


@cache
def authenticator() -> Authenticator:
    """What an in-process app built with `build_app(..., auth=...)` checks tokens with."""
    return authenticator_for(settings(), "tests")


def token(sub: str, *scopes: str, ttl: float = 86_400, key: Any = KEY, **claims: Any) -> str:
    return mint(key, sub=sub, scopes=scopes, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=ttl, **claims)


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def customer(customer_id: str) -> dict[str, str]:
    """The Authorization header of customer `customer_id`'s own token."""
    return bearer(token(customer_id, CUSTOMER))


@cache
def declared_scopes() -> frozenset[str]:
    """Every scope a route of either service declares (default contexts and the audit trail)."""
    from command_service.api import streams
    from command_service.handling import default_registry as commands
    from query_service.registry import default_registry as queries

    routers = [*commands().routers, streams.router, *queries().routers]
    found = {access_of(route) for router in routers for route in router.routes if hasattr(route, "dependant")}
    return frozenset(access.scope for access in found if access is not None)


STAFF_SUBJECT = "staff-tests"
STAFF = bearer(token(STAFF_SUBJECT, *sorted(declared_scopes())))


def _with_token(headers: dict[str, str] | None) -> dict[str, str]:
    given = headers or {}
    return given if any(name.lower() == "authorization" for name in given) else {**STAFF, **given}


def get(url: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, headers=_with_token(headers), **kwargs)


def post(url: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
    return httpx.post(url, headers=_with_token(headers), **kwargs)
