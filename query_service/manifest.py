"""What a context gives the query service: `QueryManifest`.

One per context, exported as `query_service.<context>.MANIFEST`: the context's shared part
(events, stream types, read models), its routers, and the plain reads the fast path may
answer in front of FastAPI (`api.fast`). The registry (`query_service.registry`) merges
them and refuses two claims on one name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from fastapi import APIRouter
from starlette.responses import Response

from shared.manifest import ContextManifest
from shared.streams import ID_PATTERN

if TYPE_CHECKING:  # api/ imports the registry, which imports this: types only, no cycle
    from query_service.api.deps import Reads
    from query_service.api.http import Conditions

Answer = Callable[["Reads", str, "Conditions"], Awaitable[Response]]
"""A single-document read once its inputs are parsed: (reads, key, conditions) -> response."""
QueryAnswer = Callable[["Reads", str, "Conditions", Mapping[str, str]], Awaitable[Response]]
"""The same with its query parameters (raw strings, to be parsed as the route parses them)."""


class PlainRead(NamedTuple):
    """A `GET <prefix><key>[<suffix>]` the fast path answers without FastAPI, exactly as its
    route would."""

    path: str
    """The route's path template ("/v1/orders/{order_id}"): the request metrics count it there."""
    respond: Callable[..., Awaitable[Response]]
    """What the route calls once it has parsed its inputs: an `Answer`, or with `params` a
    `QueryAnswer`."""
    key_pattern: str = ID_PATTERN
    """The route's pattern for the key: a key it would refuse goes on to FastAPI (its 422)."""
    suffix: str = ""
    """What follows the key ("/balance" of "/v1/wallets/{wallet_id}/balance")."""
    params: frozenset[str] | None = None
    """The query parameters it takes (each at most once; anything else goes on to FastAPI);
    None: a plain read takes none, and is answered only without a query string."""


@dataclass(frozen=True)
class QueryManifest:
    shared: ContextManifest
    """The context's events, stream types and read models."""
    routers: tuple[APIRouter, ...] = ()
    plain_reads: Mapping[str, PlainRead] = field(default_factory=dict)
    """Path prefix ("/v1/orders/") -> the plain read answered under it; for a read with a
    suffix, its path template ("/v1/wallets/{wallet_id}/balance")."""

    @property
    def name(self) -> str:
        return self.shared.name
