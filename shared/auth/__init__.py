"""Authentication and authorization of the HTTP services: bearer JWTs verified against a JWKS
(`tokens`, `keys`), checked in one ASGI middleware every request passes (`asgi.Authenticate`),
scopes and per-customer ownership declared next to each route (`access.allow`), the refusals
as problem+json (`problems`), what a composition root calls (`setup`), and a local identity
provider for development and tests (`local`, `python -m shared.auth`)."""

from shared.auth.access import (
    ANY_CUSTOMER,
    NEVER,
    Access,
    AccessDeniedError,
    CustomerRule,
    Owner,
    OwnIdInBody,
    OwnIdInPath,
    access_of,
    allow,
    declared_access,
)
from shared.auth.asgi import OPEN_PATHS, Authenticate, Authenticator
from shared.auth.keys import KeySet, KeySetError
from shared.auth.principal import ADMIN, CUSTOMER, SCOPE_KEY, UNRESTRICTED, Principal, principal_in
from shared.auth.setup import AuthConfigError, api_routes, authenticator_for, install_auth
from shared.auth.tokens import InvalidTokenError, TokenVerifier

__all__ = [
    "ADMIN",
    "ANY_CUSTOMER",
    "CUSTOMER",
    "NEVER",
    "OPEN_PATHS",
    "SCOPE_KEY",
    "UNRESTRICTED",
    "Access",
    "AccessDeniedError",
    "AuthConfigError",
    "Authenticate",
    "Authenticator",
    "CustomerRule",
    "InvalidTokenError",
    "KeySet",
    "KeySetError",
    "OwnIdInBody",
    "OwnIdInPath",
    "Owner",
    "Principal",
    "TokenVerifier",
    "access_of",
    "allow",
    "api_routes",
    "authenticator_for",
    "declared_access",
    "install_auth",
    "principal_in",
]
