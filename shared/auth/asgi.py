"""Authentication in one place every request passes: `Authenticate`, plain ASGI, in front of
the router and of the query service's fast path. It finds the bearer token, verifies it
(`TokenVerifier`) and leaves the principal in the request's scope; a request without a valid
token is answered 401 here and goes no further. Health, readiness, metrics and the API
documents (`OPEN_PATHS`) stay open. Which scopes a route needs is the route's own declaration
(`shared.auth.access`), checked after this."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import problems
from shared.auth.principal import SCOPE_KEY, UNRESTRICTED, Principal
from shared.auth.tokens import InvalidTokenError, TokenVerifier

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


class Authenticator:
    """Bearer tokens checked by `verifier`; None: authentication is off, every request is
    `UNRESTRICTED` (only by the explicit setting, `shared.auth.settings.authenticator_for`)."""

    def __init__(self, verifier: TokenVerifier | None) -> None:
        self.verifier = verifier

    @property
    def disabled(self) -> bool:
        return self.verifier is None

    async def authenticate(self, authorization: bytes | None) -> Principal:
        """The principal of an Authorization header's value; InvalidTokenError when it carries
        a token that does not verify, MissingTokenError when it carries none."""
        if self.verifier is None:
            return UNRESTRICTED
        if authorization is None:
            raise MissingTokenError
        scheme, _, token = authorization.strip().partition(b" ")
        if scheme.lower() != b"bearer":
            raise MissingTokenError
        token = token.strip()
        if not token:
            raise InvalidTokenError("empty bearer token")
        return await self.verifier.verify(token)


class MissingTokenError(Exception):
    """No bearer token in the request."""


class Authenticate:
    def __init__(self, app: ASGIApp, authenticator: Authenticator, open_paths: frozenset[str] = OPEN_PATHS) -> None:
        self.app = app
        self._authenticator = authenticator
        self._open = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open:
            await self.app(scope, receive, send)
            return
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
                break
        try:
            scope[SCOPE_KEY] = await self._authenticator.authenticate(authorization)
        except MissingTokenError:
            await problems.unauthenticated(None)(scope, receive, send)
            return
        except InvalidTokenError as exc:
            await problems.unauthenticated(exc.description)(scope, receive, send)
            return
        await self.app(scope, receive, send)
