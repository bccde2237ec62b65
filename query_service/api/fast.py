"""The hottest reads, answered straight from ASGI when the request is plain: each context's
plain reads (`QueryManifest.plain_reads`, e.g. `GET /v1/orders/{id}`), a `GET` of a valid
key with no query string; or, for a read that names its suffix and parameters (`GET
/v1/wallets/{id}/balance?as_of=`), with only those parameters, each at most once.

What it buys: under load, FastAPI's machinery around those routes (router, route matching,
the request object, dependency solving, its exception and exit-stack middleware) costs
the query process more CPU per read than the MongoDB read itself; this layer skips all of
it. Measure it with `python -m tests.bench.bench_query` (a plain read against a FastAPI
route behind the same middleware).

The answer is the same: the same response function the route calls, with `Conditions`
taken from the same headers. Anything else (a query string such as `min_version`, a key
the route would refuse, another method or path) goes on to FastAPI, which validates it and
answers 422 as usual. `shared.web`'s request metrics sit outside this middleware and count
these reads under their route's path template.

The access is the same too: `shared.auth.Authenticate` sits in front of this layer (no request
reaches it unauthenticated), and each read checks its route's declared `Access` here, as
FastAPI would run it for the route: a staff or service token with the scope in one set lookup,
anything else (a customer token, whose ownership is checked) through `Access.authorize`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from query_service.api.deps import reads_of
from query_service.api.http import Conditions
from query_service.manifest import Answer, PlainRead
from shared.auth import Access, AccessDeniedError, principal_in


@dataclass(frozen=True)
class Matched:
    """What the router leaves in `scope["route"]` for the request metrics: the path template."""

    path: str


class Guard:
    """A plain read's route access, and the name of the path parameter its key is."""

    def __init__(self, access: Access, path: str) -> None:
        self.access = access
        self.param = path[path.index("{") + 1 : path.index("}")]

    async def refused(self, scope: Scope, receive: Receive, send: Send, key: str) -> bool:
        """True if the request may not read this (and was answered: 401, 403 or 404)."""
        principal = principal_in(scope)
        if principal is not None and self.access.settled(principal):
            return False
        scope["path_params"] = {self.param: key}
        try:
            await self.access.authorize(Request(scope, receive))
        except AccessDeniedError as denied:
            await denied.response(scope, receive, send)
            return True
        return False


class FastReads:
    def __init__(self, app: ASGIApp, reads: Mapping[str, PlainRead], access: Mapping[str, Access]) -> None:
        self.app = app
        self._reads: dict[str, tuple[Matched, Answer, re.Pattern[str], Guard]] = {
            prefix: (
                Matched(read.path),
                read.respond,
                re.compile(read.key_pattern),
                Guard(access[read.path], read.path),
            )
            for prefix, read in reads.items()
            if not read.suffix and read.params is None
        }
        self._suffixed: dict[str, list[tuple[str, PlainRead, re.Pattern[str], Guard]]] = {}
        for read in reads.values():
            if read.suffix or read.params is not None:
                prefix = read.path[: read.path.index("{")]
                entry = (prefix, read, re.compile(read.key_pattern), Guard(access[read.path], read.path))
                self._suffixed.setdefault(read.suffix, []).append(entry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if not scope["query_string"]:
                prefix = path[: path.rfind("/") + 1]  # "/v1/orders/" of "/v1/orders/ord-1": a key has no "/"
                read = self._reads.get(prefix)
                if read is not None and read[2].fullmatch(key := path[len(prefix) :]):
                    scope["route"], respond, _, guard = read
                    if await guard.refused(scope, receive, send, key):
                        return
                    response = await respond(reads_of(scope["app"].state), key, _conditions(scope))
                    await response(scope, receive, send)
                    return
            if self._suffixed and await self._suffixed_read(path, scope, receive, send):
                return
        await self.app(scope, receive, send)

    async def _suffixed_read(self, path: str, scope: Scope, receive: Receive, send: Send) -> bool:
        stem, _, last = path.rpartition("/")
        for prefix, read, pattern, guard in self._suffixed.get("/" + last, ()):
            key = stem[len(prefix) :]
            if not stem.startswith(prefix) or not pattern.fullmatch(key):
                continue
            query = _params(scope["query_string"], read.params or frozenset())
            if query is None:
                return False  # FastAPI answers it (a 422 naming the parameter)
            scope["route"] = Matched(read.path)
            if await guard.refused(scope, receive, send, key):
                return True
            response = await read.respond(reads_of(scope["app"].state), key, _conditions(scope), query)
            await response(scope, receive, send)
            return True
        return False


def _params(raw: bytes, allowed: frozenset[str]) -> dict[str, str] | None:
    """The query's parameters when each is allowed and given once, else None."""
    found: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name not in allowed or name in found:
            return None
        found[name] = value
    return found


def _conditions(scope: Scope) -> Conditions:
    """The consistency token and If-None-Match (the first of each, as Starlette's headers.get)."""
    token = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"x-consistency-token" and token is None:
            token = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
    return Conditions(None, token, if_none_match)
