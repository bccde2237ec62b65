"""Who may call a route, declared next to it: `allow(scope, customers=...)`, one dependency.

- A staff or service token needs `scope` (e.g. `orders:read`).
- A customer token (scope `customer`, `sub` = the customer id) is judged by `customers`
  instead: `NEVER` (the default: risk and compliance views, staff operations; a 403 naming
  the scope), `ANY_CUSTOMER` (the catalogue), or an `Owner` — what the route acts on belongs
  to one customer, and a customer token reaches only its own: anything else is a 404, as if
  it did not exist.

A context declares ownership once per kind of resource (`OwnIdInPath("customer_id")`, or a
service's owner of a document or a stream) and names it on each route. The check is the same
object wherever the request is answered: FastAPI runs it as the route's dependency, and the
query service's fast path (which skips FastAPI) calls `Access.authorize` itself.
"""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import Request, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from shared.auth import problems
from shared.auth.principal import Principal, principal_in

SCHEME = "bearer"


class AccessDeniedError(Exception):
    """A refused request; `response` is its answer (401, 403 or 404)."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


class Owner(Protocol):
    """What a route acts on belongs to one customer: `check` refuses (AccessDeniedError, a 404
    for a resource that is missing or another customer's) unless it is `customer`'s."""

    async def check(self, request: Request, customer: str) -> None: ...


class _Rule:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NEVER = _Rule("NEVER")
"""Customer tokens are refused (403 naming the route's scope)."""
ANY_CUSTOMER = _Rule("ANY_CUSTOMER")
"""Every customer token may call the route (the catalogue)."""

CustomerRule = _Rule | Owner


class Access(SecurityBase):
    """The route's dependency: the request's principal, once it may call the route. A
    `SecurityBase`, so the OpenAPI document declares the bearer scheme and the scope on the
    operation."""

    def __init__(self, scope: str, customers: CustomerRule = NEVER) -> None:
        self.scope = scope
        self.customers = customers
        self.model = HTTPBearerModel(bearerFormat="JWT", description="A JWT from Bahi's identity provider")
        self.scheme_name = SCHEME

    @property
    def customer_rule(self) -> str:
        """How the rule reads in the OpenAPI document: never, any or own."""
        return "never" if self.customers is NEVER else "any" if self.customers is ANY_CUSTOMER else "own"

    def settled(self, principal: Principal) -> bool:
        """True when nothing more than the principal is needed: a staff or service token with
        the scope (the fast path's test before it builds a request)."""
        return principal.has(self.scope) and not principal.is_customer

    async def authorize(self, request: Request) -> Principal:
        principal = principal_in(request.scope)
        if principal is None:  # not behind `Authenticate`: refused, never let through
            raise AccessDeniedError(problems.unauthenticated(None))
        if not principal.is_customer:
            if principal.has(self.scope):
                return principal
            raise AccessDeniedError(problems.missing_scope(self.scope, customer=False))
        if self.customers is NEVER:
            raise AccessDeniedError(problems.missing_scope(self.scope, customer=True))
        if self.customers is not ANY_CUSTOMER:
            assert not isinstance(self.customers, _Rule)
            await self.customers.check(request, principal.subject)
        return principal

    async def __call__(self, request: Request) -> Principal:
        return await self.authorize(request)

    def __repr__(self) -> str:
        return f"Access({self.scope!r}, customers={self.customers!r})"


def allow(scope: str, *, customers: CustomerRule = NEVER) -> Any:
    """`dependencies=[allow("orders:read", customers=OWN_ORDER)]` on a route."""
    return Security(Access(scope, customers), scopes=[scope])


def access_of(route: APIRoute) -> Access | None:
    """The route's declared access (None: it declares none)."""
    found = [d.call for d in route.dependant.dependencies if isinstance(d.call, Access)]
    return found[0] if len(found) == 1 else None


def declared_access(context: str, route: APIRoute) -> Access:
    """The route's access; a route declaring none is refused (a registry merging a context's
    routers calls this: no route is open by omission)."""
    access = access_of(route)
    if access is None:
        methods = ",".join(sorted(route.methods or ()))
        raise ValueError(
            f"route {methods} {route.path} of {context!r} declares no access: "
            "add dependencies=[shared.auth.allow(scope, customers=...)]"
        )
    return access


class OwnIdInPath:
    """The path parameter `param` is the customer id itself (`/v1/customers/{customer_id}/...`)."""

    def __init__(self, param: str, noun: str = "customer") -> None:
        self.param, self.noun = param, noun

    async def check(self, request: Request, customer: str) -> None:
        value = request.path_params.get(self.param)
        if value != customer:
            raise AccessDeniedError(problems.hidden(f"{self.noun} {value} not found"))


class OwnIdInBody:
    """A command creating something for a customer names it in the body (`customer_id`): a
    customer token creates only for itself. Another id is a 403 naming the field; no id (or no
    JSON body) is left to the route's validation (a 422)."""

    def __init__(self, field: str = "customer_id") -> None:
        self.field = field

    async def check(self, request: Request, customer: str) -> None:
        try:
            body = await request.json()
        except ValueError:
            return
        value = body.get(self.field) if isinstance(body, dict) else None
        if isinstance(value, str) and value != customer:
            raise AccessDeniedError(problems.not_for_this_customer(self.field))


class KnownOwners:
    """Owners found before, per app (`of(state)`), bounded, oldest first out. Only for owners
    that never change (a resource's customer is set when it is made), so a customer's next
    request on the same resource needs no read to be allowed."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._owners: dict[tuple[str, str], str] = {}

    @classmethod
    def of(cls, state: Any) -> KnownOwners:
        if getattr(state, "known_owners", None) is None:  # one per app, made on first use
            state.known_owners = cls()
        known: KnownOwners = state.known_owners
        return known

    def get(self, kind: str, key: str) -> str | None:
        return self._owners.get((kind, key))

    def put(self, kind: str, key: str, owner: str) -> None:
        if len(self._owners) >= self._size:
            del self._owners[next(iter(self._owners))]
        self._owners[(kind, key)] = owner
