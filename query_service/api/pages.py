"""What every list read shares: its paging inputs as one dependency (`PageDep`: limit capped at
MAX_LIMIT, cursor, the X-Consistency-Token header, If-None-Match), the bounded wait for a
consistency token's document, and the answer (a content ETag, 422 naming a bad token or
cursor). A context's list routes declare only their own filters on top of it.

The token's stream is mapped to its stream type through the catalogue (`stream_type_of`,
`.key()`), so no list names a stream-id prefix: a route says which of its read models holds
the documents of which stream type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from pymongo.asynchronous.database import AsyncDatabase

from query_service.api.consistency import TokenError, parse_token
from query_service.api.deps import watcher_of
from query_service.api.http import answer_page
from query_service.reads import DEFAULT_LIMIT, MAX_LIMIT, CursorError, Page, VersionWatcher
from shared.manifest import Catalog
from shared.read_models import CollectionResolver
from shared.web import invalid

PAGE_QUERY = frozenset({"limit", "cursor"})
"""The query parameters `PageDep` reads: a list route allows them beside its own."""

Load = Callable[[AsyncDatabase[Any], CollectionResolver], Awaitable[Page]]


@dataclass(frozen=True)
class Lists:
    """What a list read needs from the app: the database, the watcher, the wait bound and the
    catalogue (stream ids to stream types)."""

    db: AsyncDatabase[Any]
    resolver: CollectionResolver
    watcher: VersionWatcher
    wait_seconds: float
    catalog: Catalog


def lists_of(state: Any) -> Lists:
    if getattr(state, "lists", None) is None:  # one per app, made on first use
        state.lists = Lists(
            state.db, state.resolver, watcher_of(state), state.settings.consistency_wait_seconds, state.catalog
        )
    return state.lists  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PageParams:
    limit: int
    """As asked, capped at MAX_LIMIT."""
    cursor: str | None
    token: str | None
    if_none_match: str | None
    state: Any
    """The app's state: `Lists` is taken from it only when answering."""

    async def answer(self, load: Load, waits: Mapping[str, str]) -> Response:
        """Wait for the token's document, then load the page and answer it. `waits` maps a
        stream type's name to the read model holding its documents for this list; a token
        about a stream of another type asks nothing."""
        lists = lists_of(self.state)
        try:
            timed_out = await self._await_token(lists, waits)
        except TokenError as exc:
            return invalid("X-Consistency-Token", str(exc))
        try:
            page = await load(lists.db, lists.resolver)
        except CursorError as exc:
            return invalid("cursor", str(exc))
        return answer_page(page, timed_out, self.if_none_match)

    async def _await_token(self, lists: Lists, waits: Mapping[str, str]) -> bool:
        """True if the wait timed out."""
        if not self.token:
            return False
        stream, version = parse_token(self.token)
        stream_type = lists.catalog.stream_type_of(stream)
        read_model = waits.get(stream_type.name) if stream_type is not None else None
        if stream_type is None or read_model is None:
            return False
        key = stream_type.key(stream)
        return not await lists.watcher.wait(read_model, key, version, lists.wait_seconds)


Limit = Annotated[int, Query(ge=1, description=f"page size; more than {MAX_LIMIT} is capped to {MAX_LIMIT}")]
Cursor = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,400}$")]
TokenHeader = Annotated[str | None, Header(alias="X-Consistency-Token")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]


async def _page_params(
    request: Request,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    token: TokenHeader = None,
    if_none_match: IfNoneMatch = None,
) -> PageParams:
    # Nothing here may refuse, wait or touch the app: FastAPI runs it even when the route's own
    # inputs are invalid, and the token is parsed only once they are known good (in `answer`).
    return PageParams(min(limit, MAX_LIMIT), cursor, token, if_none_match, request.app.state)


PageDep = Annotated[PageParams, Depends(_page_params)]
