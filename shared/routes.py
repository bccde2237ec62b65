"""Finding a request's route: the services' routers' routes as the app's own (`include_routes`)
and a dispatch that looks only at the routes of the request's first two path segments
(`index_routes`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # what the router matches routes against
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send


def include_routes(app: FastAPI, router: APIRouter) -> None:
    """`router`'s routes as the app's own. FastAPI 0.163's `include_router` keeps a router whole
    (`_IncludedRouter`): a request walks every included router's candidates, with scope
    bookkeeping per candidate, once to match and again to handle. The routers' prefixes and
    dependencies are already in their routes' paths and dependants, so appending the routes
    loses nothing (`tests/unit/shared/test_web_routes.py` checks that both answer alike);
    `index_routes` then finds a request's route among its own prefix's only."""
    if router.on_startup or router.on_shutdown or router.dependency_overrides_provider is not None:
        raise ValueError("include_routes takes routers of plain routes: include this one with include_router")
    app.router.routes.extend(router.routes)


def _route_key(path: str) -> str:
    """A path's first two segments: `/v1/upi/payments` -> `/v1/upi`, `/healthz` -> `/healthz`."""
    return "/".join(path.split("/", 3)[:3])


class RouteIndex:
    """The router's dispatch, looking only at the routes whose path starts with the request's
    first two segments (`/v1/upi`), in their order, instead of at every route: a route with
    other literal first segments cannot match (its path pattern starts with them). A route
    whose first two segments are not literal (a parameter, a mount) is looked at for every
    request. Anything but a full match in those routes (a 405, a redirect for a trailing
    slash, a 404, lifespan) goes through FastAPI's own scan of every route, unchanged.

    What it buys: the command service has 44 routes; FastAPI's scan tries each in order (about
    2 us each on 2 shared cores), so a UPI payment, 40th, spent about 90 us finding its route
    and a product command, 8th, 14 us; here both look at a handful."""

    def __init__(self, router: APIRouter) -> None:
        self._router = router
        self._scan = router.middleware_stack
        self._built_for: tuple[int, int] = (0, -1)
        self._buckets: dict[str, list[BaseRoute]] = {}
        self._anywhere: list[BaseRoute] = []

    def candidates(self, path: str) -> list[BaseRoute]:
        routes = self._router.routes
        if self._built_for != (id(routes), len(routes)):
            self._build(routes)
        return self._buckets.get(_route_key(path), self._anywhere)

    def _build(self, routes: list[BaseRoute]) -> None:
        keys = [
            key if isinstance(route, Route | APIRoute) and "{" not in (key := _route_key(route.path)) else None
            for route in routes
        ]
        self._anywhere = [route for route, key in zip(routes, keys, strict=True) if key is None]
        self._buckets = {
            wanted: [route for route, key in zip(routes, keys, strict=True) if key is None or key == wanted]
            for wanted in {key for key in keys if key is not None}
        }
        self._built_for = (id(routes), len(routes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.candidates(get_route_path(scope)):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self._router)
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
                if match is Match.PARTIAL:
                    break  # a 405 (or a better route later): FastAPI's own scan decides
        await self._scan(scope, receive, send)


def index_routes(app: FastAPI) -> RouteIndex:
    """Dispatch the app's requests through a `RouteIndex` (call it once its routes are in)."""
    index = RouteIndex(app.router)
    app.router.middleware_stack = index
    return index
