"""The wallets context's single reads: a wallet (also a plain read, `PLAIN_READS`), its balance at
a moment, and a merchant's settlement for an IST day. Each answers with an ETag and honours
If-None-Match; the wallet and its balance wait (bounded) for a consistency token of the wallet's
stream (or `min_version` for the wallet); unknown or malformed parameters are a 422 naming them.
Access: `wallets:read` (a customer token: its own wallet only, another's is a 404), settlements
`settlements:read` (never customer tokens)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from query_service.api.consistency import TokenError, min_version_for
from query_service.api.deps import DbDep, Reads, ReadsDep, ResolverDep
from query_service.api.http import CONDITION_PARAMETERS, Conditions, answer, conditions, unknown_params
from query_service.api.owners import OwnedDocument
from query_service.manifest import PlainRead
from query_service.wallets import params
from query_service.wallets.views import (
    BalanceView,
    BeforeOpening,
    SettlementView,
    WalletView,
    balance_as_of,
    get_settlement,
    get_wallet,
    recent_balance,
)
from shared.auth import allow
from shared.streams import ID_PATTERN
from shared.wallets.read_models import WALLET_BALANCE_HISTORY, WALLET_VIEW, entry_id
from shared.wallets.scopes import SETTLEMENTS_READ, WALLETS_READ
from shared.web import invalid, problem

router = APIRouter(prefix="/v1")

Id = Annotated[str, Path(pattern=ID_PATTERN)]
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match named the current ETag"},
    404: {"description": "Not found", **_PROBLEM},
    422: {"description": "Invalid parameter, named in `field`", **_PROBLEM},
}
OWN_WALLET = [allow(WALLETS_READ, customers=OwnedDocument(WALLET_VIEW, "wallet_id"))]
_TOKEN_DOC = CONDITION_PARAMETERS[1:]  # the token and If-None-Match (min_version is the wallet read's only)


def _content_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@router.get(
    "/wallets/{wallet_id}",
    response_model=WalletView,
    responses=RESPONSES,
    openapi_extra={"parameters": CONDITION_PARAMETERS},
    dependencies=OWN_WALLET,
)
async def read_wallet(request: Request, wallet_id: Id, reads: ReadsDep) -> Response:
    if isinstance(given := conditions(request), Response):
        return given
    return await wallet_response(reads, wallet_id, given)


async def wallet_response(reads: Reads, wallet_id: str, given: Conditions) -> Response:
    """GET /v1/wallets/{wallet_id} once its inputs are parsed (the route's, and `api.fast.FastReads`')."""
    try:
        wanted = min_version_for(wallet_id, given.token, given.min_version)  # a wallet's stream id is its id
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(WALLET_VIEW, wallet_id, wanted, reads.wait_seconds)
    view = await get_wallet(reads.loader, wallet_id)
    if view is None:
        return problem(404, "Not found", f"wallet {wallet_id} not found")
    return answer(view.model_dump_json().encode(), f'"{view.version}"', timed_out, given.if_none_match)


AsOf = Annotated[
    str | None,
    Query(
        max_length=64,
        description="RFC 3339 date-time with its offset (e.g. 2025-03-31T18:30:00Z); omitted: the latest balance",
        json_schema_extra={"format": "date-time"},
    ),
]


@router.get(
    "/wallets/{wallet_id}/balance",
    response_model=BalanceView,
    responses=RESPONSES,
    openapi_extra={"parameters": _TOKEN_DOC},
    dependencies=OWN_WALLET,
)
async def read_balance(request: Request, wallet_id: Id, reads: ReadsDep, as_of: AsOf = None) -> Response:
    """The balance after the wallet's last event at or before `as_of`; a moment before the wallet
    was opened is a 404 saying when it was."""
    if (bad := unknown_params(request, {"as_of"})) is not None:
        return bad
    given = Conditions(None, request.headers.get("x-consistency-token"), request.headers.get("if-none-match"))
    return await balance_response(reads, wallet_id, given, {} if as_of is None else {"as_of": as_of})


async def balance_response(reads: Reads, wallet_id: str, given: Conditions, query: Mapping[str, str]) -> Response:
    """GET /v1/wallets/{wallet_id}/balance once its inputs are parsed (the route's, and
    `api.fast.FastReads`', which passes only an `as_of`, given at most once)."""
    as_of = query.get("as_of")
    try:
        if as_of is not None and len(as_of) > 64:
            raise params.InputError("as_of", "at most 64 characters")
        moment = params.moment("as_of", as_of) if as_of is not None else None
        wanted = min_version_for(wallet_id, given.token, None)
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(WALLET_VIEW, wallet_id, wanted, reads.wait_seconds)
    try:
        # The view's recent balances first (one coalesced read by id), the history's query for
        # a moment older than they reach.
        wallet = await reads.loader.get(WALLET_VIEW, wallet_id)
        view = recent_balance(wallet, wallet_id, moment) if wallet is not None else None
        if view is None:
            if wanted is not None and not timed_out:
                doc_id = entry_id(wallet_id, wanted)
                timed_out = not await reads.watcher.wait(WALLET_BALANCE_HISTORY, doc_id, wanted, reads.wait_seconds)
            view = await balance_as_of(reads.loader.db, reads.loader.resolver, wallet_id, moment)
    except BeforeOpening as before:
        opened = before.opened_at.isoformat()
        detail = f"wallet {wallet_id} did not exist at {as_of}: it was opened at {opened}"
        return problem(404, "Not found", detail, field="as_of", opened_at=opened)
    if view is None:
        return problem(404, "Not found", f"wallet {wallet_id} not found")
    body = view.model_dump_json().encode()
    return answer(body, _content_etag(body), timed_out, given.if_none_match)


# Required, but checked by the route (after the unknown parameters, so `?day=` is named as such):
# documented here, not by FastAPI, which would call it optional.
Day = Annotated[str | None, Query(max_length=10, include_in_schema=False)]
DAY_PARAMETER: dict[str, Any] = {
    "name": "date",
    "in": "query",
    "required": True,
    "description": "The IST business day, YYYY-MM-DD",
    "schema": {"type": "string", "format": "date", "maxLength": 10},
}


@router.get(
    "/merchants/{merchant_id}/settlements",
    response_model=SettlementView,
    responses=RESPONSES,
    openapi_extra={"parameters": [DAY_PARAMETER, *CONDITION_PARAMETERS[2:]]},
    dependencies=[allow(SETTLEMENTS_READ)],
)
async def read_settlement(
    request: Request, merchant_id: Id, db: DbDep, resolver: ResolverDep, date: Day = None
) -> Response:
    """A merchant's captured, refunded and net money for one IST day (404 if nothing settled)."""
    if (bad := unknown_params(request, {"date"})) is not None:
        return bad
    if date is None:
        return invalid("date", "required: the IST business day, YYYY-MM-DD")
    try:
        day = params.day("date", date)
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    view = await get_settlement(db, resolver, merchant_id, day)
    if view is None:
        return problem(404, "Not found", f"no settlement for merchant {merchant_id} on {day.isoformat()}")
    body = view.model_dump_json().encode()
    return answer(body, _content_etag(body), False, request.headers.get("if-none-match"))


BALANCE_PATH = "/v1/wallets/{wallet_id}/balance"
PLAIN_READS: dict[str, PlainRead] = {
    "/v1/wallets/": PlainRead("/v1/wallets/{wallet_id}", wallet_response, ID_PATTERN),
    BALANCE_PATH: PlainRead(BALANCE_PATH, balance_response, ID_PATTERN, "/balance", frozenset({"as_of"})),
}
