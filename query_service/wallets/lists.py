"""The wallets context's list read: a wallet's statement, newest first, cursor-paged
(`api.pages.PageDep`) and filtered by a time window and kind. A consistency token of the
wallet's stream waits (bounded) for the statement document of the token's version: every event
of a wallet leaves one there (a movement's entry or a marker), keyed wallet id + version.
A customer token reads its own wallet's statement only (the wallet view names the owner)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from query_service.api.consistency import TokenError, parse_token
from query_service.api.http import unknown_params
from query_service.api.owners import OwnedDocument
from query_service.api.pages import PAGE_QUERY, PageDep, PageParams, lists_of
from query_service.wallets import params
from query_service.wallets.statement import StatementFilters, list_statement
from shared.auth import allow
from shared.streams import ID_PATTERN
from shared.wallets.read_models import WALLET_STATEMENT, WALLET_VIEW, entry_id
from shared.wallets.scopes import WALLETS_READ
from shared.wallets.values import STATEMENT_KINDS
from shared.web import invalid

router = APIRouter(prefix="/v1")

Id = Annotated[str, Path(pattern=ID_PATTERN)]
_MOMENT = "RFC 3339 date-time with its offset (e.g. 2025-03-31T18:30:00Z); inclusive"
_DATE_TIME: dict[str, Any] = {"format": "date-time"}
Kind = Annotated[
    str | None,
    Query(
        max_length=20,
        description=f"one of {', '.join(STATEMENT_KINDS)}",
        json_schema_extra={"enum": list(STATEMENT_KINDS)},
    ),
]
_FILTERS = {"from", "to", "kind"}


@router.get(
    "/wallets/{wallet_id}/statement",
    dependencies=[allow(WALLETS_READ, customers=OwnedDocument(WALLET_VIEW, "wallet_id"))],
)
async def statement(
    request: Request,
    wallet_id: Id,
    page: PageDep,
    start: Annotated[
        str | None, Query(alias="from", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    kind: Kind = None,
) -> Response:
    """Newest first; the cursor is a position in that order, so entries recorded after the first
    page was read never shift the pages that follow."""
    if (bad := unknown_params(request, {*_FILTERS, *PAGE_QUERY})) is not None:
        return bad
    try:
        filters = StatementFilters(
            start=params.moment("from", start) if start is not None else None,
            end=params.moment("to", end) if end is not None else None,
            kind=params.kind("kind", kind) if kind is not None else None,
        )
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    if filters.start and filters.end and filters.start > filters.end:
        return invalid("to", "must not be before from")
    try:
        timed_out = await _await_token(page, wallet_id)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    response = await page.answer(
        lambda db, resolver: list_statement(db, resolver, wallet_id, filters, limit=page.limit, cursor=page.cursor),
        {},  # the token was waited for above: the statement's documents are per entry, not per wallet
    )
    if timed_out:
        response.headers["X-Consistency-Timeout"] = "true"
    return response


async def _await_token(page: PageParams, wallet_id: str) -> bool:
    """True if the wait for the token's version timed out; a token of another stream asks nothing."""
    if not page.token:
        return False
    stream, version = parse_token(page.token)
    if stream != wallet_id:
        return False
    lists = lists_of(page.state)
    return not await lists.watcher.wait(WALLET_STATEMENT, entry_id(wallet_id, version), version, lists.wait_seconds)
