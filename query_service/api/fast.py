"""The two hottest reads, `GET /v1/orders/{id}` and `GET /v1/products/{sku}`, answered
straight from ASGI when the request is plain: a valid id, no query string.

Under load, FastAPI's machinery around those routes (router, route matching, the
request object, dependency solving, its exception and exit-stack middleware) cost
about a third of the query process's CPU per order read, more than the MongoDB
read. The answer is the same: the same `order_response` / `product_response` the
routes call, with `Conditions` taken from the same headers. Anything else (a query
string such as `min_version`, an id the route would refuse, another method) goes on
to FastAPI, which validates it and answers 422 as usual. `shared.web`'s request
metrics sit outside this middleware and count these reads under their route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from query_service.api.deps import Reads, reads_of
from query_service.api.http import Conditions
from query_service.api.routes import ID_PATTERN, order_response, product_response

Answer = Callable[[Reads, str, Conditions], Awaitable[Response]]

_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Matched:
    """What the router leaves in `scope["route"]` for the request metrics: the path template."""

    path: str


_READS: dict[str, tuple[Matched, Answer]] = {
    "/v1/orders/": (Matched("/v1/orders/{order_id}"), order_response),
    "/v1/products/": (Matched("/v1/products/{sku}"), product_response),
}


class FastReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            path: str = scope["path"]
            prefix = path[: path.find("/", 4) + 1]  # "/v1/orders/" of "/v1/orders/ord-1"
            read = _READS.get(prefix)
            if read is not None and _ID.fullmatch(key := path[len(prefix) :]):
                scope["route"], respond = read
                response = await respond(reads_of(scope["app"].state), key, _conditions(scope))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _conditions(scope: Scope) -> Conditions:
    """The consistency token and If-None-Match (the first of each, as Starlette's headers.get)."""
    token = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"x-consistency-token" and token is None:
            token = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
    return Conditions(None, token, if_none_match)
