"""Who a request is from: the `Principal` a verified bearer token names (or, with auth
switched off, `UNRESTRICTED`), and where the ASGI scope carries it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CUSTOMER = "customer"
"""The scope of a customer's own token: `sub` is the customer id, and every route's customer
rule applies to it (its own resources only), whatever other scopes the token also carries."""

ADMIN = "admin"
"""Operations on the platform itself (rebuilds, redrive, republish) when exposed over HTTP."""

SCOPE_KEY = "bahi.principal"
"""The ASGI scope key under which `Authenticate` leaves the request's principal."""


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    """The token's `sub`: a customer id, a staff member's or a service's name. It becomes the
    `actor` of the events its commands append."""
    scopes: frozenset[str]
    unrestricted: bool = False
    """Auth switched off (`BAHI_AUTH_DISABLED`): every scope, no customer rule."""

    @property
    def is_customer(self) -> bool:
        return CUSTOMER in self.scopes and not self.unrestricted

    def has(self, scope: str) -> bool:
        return self.unrestricted or scope in self.scopes


UNRESTRICTED = Principal("anonymous", frozenset(), unrestricted=True)


def principal_in(scope: Mapping[str, Any]) -> Principal | None:
    """The principal `Authenticate` found for this request (None: the path is open)."""
    principal: Principal | None = scope.get(SCOPE_KEY)
    return principal
