"""The query service's registry: every context's manifest merged, each name claimed once.

Refused at start-up with both claimants named: two contexts claiming one event type, stream
type or read model (the shared catalogue), one route (method and path, whatever its
parameters are named: `/v1/orders/{id}` and `/v1/orders/{order_id}` are one route, and the
router would serve only the first), or one plain-read prefix. Refused too: a route that
declares no access (`shared.auth.allow`): no read is open by omission. A plain read must mirror a GET
route of its own context: the fast path answers in that route's place, so a typo there
would otherwise serve a path no route declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute

from query_service.manifest import PlainRead, QueryManifest
from shared.auth import Access, access_of, declared_access
from shared.claims import Claims
from shared.contexts import CONTEXTS, manifest_of
from shared.events import EVENTS, EventRegistry
from shared.manifest import Catalog

_ONE_PARAMETER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_PARAMETER = re.compile(r"\{[^}]*\}")


def route_key(method: str, path: str) -> str:
    """The name a route is claimed under: "GET /v1/orders/{}" (parameter names erased)."""
    return f"{method} {_PARAMETER.sub('{}', path)}"


class QueryRegistry:
    def __init__(self, manifests: Iterable[QueryManifest], events: EventRegistry | None = None) -> None:
        self.manifests = list(manifests)
        self.catalog = Catalog([m.shared for m in self.manifests], EVENTS if events is None else events)
        self.routes: Claims[APIRoute] = Claims("route")
        self.plain_reads: Claims[PlainRead] = Claims("plain read")
        self.routers: list[APIRouter] = []
        for manifest in self.manifests:
            for router in manifest.routers:
                for route in router.routes:
                    if isinstance(route, APIRoute):
                        declared_access(manifest.name, route)
                        for method in sorted(route.methods or ()):
                            self.routes.claim(route_key(method, route.path), manifest.name, route)
                self.routers.append(router)
            for prefix, read in manifest.plain_reads.items():
                self._check(manifest.name, prefix, read)
                self.plain_reads.claim(prefix, manifest.name, read)

    def plain_read_access(self) -> dict[str, Access]:
        """Each plain read's path template -> its route's access (the fast path checks it)."""
        found: dict[str, Access] = {}
        for _, read in self.plain_reads.items():
            access = access_of(self.routes[route_key("GET", read.path)])
            assert access is not None  # every claimed route declares one (checked above)
            found[read.path] = access
        return found

    def _check(self, context: str, prefix: str, read: PlainRead) -> None:
        route = route_key("GET", read.path)
        where = f"plain read {prefix!r} of {context!r}: {read.path!r} is not <prefix>{{key}}"
        head = read.path
        if read.suffix or read.params is not None:  # claimed by its template: <prefix>{key}<suffix>
            if prefix != read.path or not read.path.endswith(read.suffix):
                raise ValueError(f"{where}{read.suffix} claimed under its path")
            head = read.path.removesuffix(read.suffix)
            prefix = head[: head.find("{")]
        if not (prefix.startswith("/") and prefix.endswith("/") and head.startswith(prefix)):
            raise ValueError(where)
        if not _ONE_PARAMETER.fullmatch(head.removeprefix(prefix)):
            raise ValueError(where)
        if route not in self.routes or self.routes.owner(route) != context:
            raise ValueError(f"plain read {prefix!r} of {context!r}: no route 'GET {read.path}' of {context!r}")


def default_registry() -> QueryRegistry:
    """The registry of `shared.contexts.CONTEXTS`: `query_service.<context>.MANIFEST` each."""
    return QueryRegistry(manifest_of(f"query_service.{name}") for name in CONTEXTS)
