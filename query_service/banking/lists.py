"""The banking context's list reads: an account's statement (newest first, each entry with its
running balance, filtered by a time window and kind) and a customer's accounts (newest first),
cursor-paged (`api.pages.PageDep`). A consistency token of the account's stream waits (bounded)
for the statement document of the token's version: every event of an account leaves one there.
A customer token reads its own account's statement and its own accounts only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pymongo.asynchronous.database import AsyncDatabase

from query_service.api.consistency import TokenError, parse_token
from query_service.api.http import unknown_params
from query_service.api.owners import OwnedDocument
from query_service.api.pages import PAGE_QUERY, PageDep, PageParams, lists_of
from query_service.reads import Page, PageQuery, decode_cursor, fetch_page, params
from shared.auth import OwnIdInPath, allow
from shared.balances import entry_id, time_key
from shared.banking.read_models import ACCOUNT_STATEMENT, ACCOUNT_VIEW
from shared.banking.scopes import BANKING_READ
from shared.banking.streams import ACCOUNT, ACCOUNT_ID_PATTERN
from shared.banking.values import STATEMENT_KINDS
from shared.read_models import CollectionResolver
from shared.streams import ID_PATTERN
from shared.web import invalid

router = APIRouter(prefix="/v1")

_MOMENT = "RFC 3339 date-time with its offset (e.g. 2026-11-30T18:30:00Z); inclusive"
_DATE_TIME: dict[str, Any] = {"format": "date-time"}
_STATEMENT_HIDDEN = {"_id": 0, "account_id": 0, "month": 0, "day": 0, "position": 0}
_ACCOUNT_FIELDS = {
    "_id": 0,
    "account_id": 1,
    "account_number": 1,
    "type": 1,
    "branch_ifsc": 1,
    "holder_name": 1,
    "status": 1,
    "balance_paise": 1,
    "pending_out_paise": 1,
    "opened_at": 1,
    "list_key": 1,
    "version": 1,
}


@router.get(
    "/accounts/{account_id}/statement",
    dependencies=[allow(BANKING_READ, customers=OwnedDocument(ACCOUNT_VIEW, "account_id"))],
)
async def statement(
    request: Request,
    account_id: Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN)],
    page: PageDep,
    start: Annotated[
        str | None, Query(alias="from", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", max_length=64, description=_MOMENT, json_schema_extra=_DATE_TIME)
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            max_length=20,
            description=f"one of {', '.join(STATEMENT_KINDS)}",
            json_schema_extra={"enum": list(STATEMENT_KINDS)},
        ),
    ] = None,
) -> Response:
    """Newest first, each entry with `balance_after_paise` (the running balance); the cursor is a
    position in that order, so entries recorded after the first page never shift the next ones."""
    if (bad := unknown_params(request, {"from", "to", "kind", *PAGE_QUERY})) is not None:
        return bad
    try:
        low = params.moment("from", start) if start is not None else None
        high = params.moment("to", end) if end is not None else None
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    if kind is not None and kind not in STATEMENT_KINDS:
        return invalid("kind", f"must be one of {', '.join(STATEMENT_KINDS)}")
    if low and high and low > high:
        return invalid("to", "must not be before from")
    try:
        timed_out = await _await_token(page, account_id)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    query: dict[str, Any] = {"account_id": account_id}
    if kind:
        query["kind"] = kind
    bounds: dict[str, str] = {}
    uppers = [time_key(high) + "}"] if high else []  # "}" sorts after the "|" of every key at `to`
    if low:
        bounds["$gte"] = time_key(low)

    async def load(db: AsyncDatabase[Any], resolver: CollectionResolver) -> Page:
        keys = [*uppers, decode_cursor(page.cursor)] if page.cursor else uppers
        sort = {**bounds, "$lt": min(keys)} if keys else bounds
        found = {**query, "sort_key": sort} if sort else query
        index = "by_account_kind" if kind else "by_account"
        collection = db[await resolver.live(ACCOUNT_STATEMENT)]
        return await fetch_page(collection, PageQuery(found, "sort_key", True, index, page.limit), _STATEMENT_HIDDEN)

    response = await page.answer(load, {})  # the token was waited for above (per entry, not per account)
    if timed_out:
        response.headers["X-Consistency-Timeout"] = "true"
    return response


async def _await_token(page: PageParams, account_id: str) -> bool:
    """True if the wait for the token's version timed out; a token of another stream asks nothing."""
    if not page.token:
        return False
    stream, version = parse_token(page.token)
    if stream != account_id:
        return False
    lists = lists_of(page.state)
    return not await lists.watcher.wait(ACCOUNT_STATEMENT, entry_id(account_id, version), version, lists.wait_seconds)


@router.get(
    "/customers/{customer_id}/accounts",
    dependencies=[allow(BANKING_READ, customers=OwnIdInPath("customer_id"))],
)
async def customer_accounts(
    request: Request, customer_id: Annotated[str, Path(pattern=ID_PATTERN)], page: PageDep
) -> Response:
    """Newest first; a token of one of the customer's accounts waits for that account's view."""
    if (bad := unknown_params(request, set(PAGE_QUERY))) is not None:
        return bad

    async def load(db: AsyncDatabase[Any], resolver: CollectionResolver) -> Page:
        query: dict[str, Any] = {"customer_id": customer_id}
        if page.cursor:
            query["list_key"] = {"$lt": decode_cursor(page.cursor)}
        collection = db[await resolver.live(ACCOUNT_VIEW)]
        return await fetch_page(
            collection, PageQuery(query, "list_key", True, "by_customer", page.limit), _ACCOUNT_FIELDS
        )

    return await page.answer(load, {ACCOUNT.name: ACCOUNT_VIEW})
