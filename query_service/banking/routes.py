"""The banking context's single reads: an account (balance, status, pending transfers, limits
left) and its balance at a moment. Each answers with an ETag and honours If-None-Match; both
wait (bounded) for a consistency token of the account's stream (or `min_version` for the
account); unknown or malformed parameters are a 422 naming them. Access: `banking:read` (a
customer token: its own account only, another's is a 404)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from query_service.api.consistency import TokenError, min_version_for
from query_service.api.deps import ReadsDep
from query_service.api.http import CONDITION_PARAMETERS, Conditions, answer, conditions, unknown_params
from query_service.api.owners import OwnedDocument
from query_service.banking.views import AccountBalanceView, AccountView, balance_as_of, get_account, recent_balance
from query_service.reads import params
from query_service.reads.balances import BeforeOpening
from shared.auth import allow
from shared.balances import entry_id
from shared.banking.read_models import ACCOUNT_BALANCE_HISTORY, ACCOUNT_VIEW
from shared.banking.scopes import BANKING_READ
from shared.banking.streams import ACCOUNT_ID_PATTERN
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/accounts")

AccountId = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN)]
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: If-None-Match named the current ETag"},
    404: {"description": "Not found", **_PROBLEM},
    422: {"description": "Invalid parameter, named in `field`", **_PROBLEM},
}
OWN_ACCOUNT = [allow(BANKING_READ, customers=OwnedDocument(ACCOUNT_VIEW, "account_id"))]


@router.get(
    "/{account_id}",
    response_model=AccountView,
    responses=RESPONSES,
    openapi_extra={"parameters": CONDITION_PARAMETERS},
    dependencies=OWN_ACCOUNT,
)
async def read_account(request: Request, account_id: AccountId, reads: ReadsDep) -> Response:
    if isinstance(given := conditions(request), Response):
        return given
    try:
        wanted = min_version_for(account_id, given.token, given.min_version)  # an account's stream id is its id
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(ACCOUNT_VIEW, account_id, wanted, reads.wait_seconds)
    view = await get_account(reads.loader, account_id)
    if view is None:
        return problem(404, "Not found", f"account {account_id} not found")
    return answer(view.model_dump_json().encode(), f'"{view.version}"', timed_out, given.if_none_match)


AsOf = Annotated[
    str | None,
    Query(
        max_length=64,
        description="RFC 3339 with its offset (e.g. 2026-12-01T18:30:00Z); omitted: the latest",
        json_schema_extra={"format": "date-time"},
    ),
]


@router.get(
    "/{account_id}/balance",
    response_model=AccountBalanceView,
    responses=RESPONSES,
    openapi_extra={"parameters": CONDITION_PARAMETERS[1:]},
    dependencies=OWN_ACCOUNT,
)
async def read_balance(request: Request, account_id: AccountId, reads: ReadsDep, as_of: AsOf = None) -> Response:
    """The balance after the account's last event at or before `as_of` (from stored history, never
    a replay); a moment before the opening is a 404 saying when it was opened."""
    if (bad := unknown_params(request, {"as_of"})) is not None:
        return bad
    given = Conditions(None, request.headers.get("x-consistency-token"), request.headers.get("if-none-match"))
    try:
        moment = params.moment("as_of", as_of) if as_of is not None else None
        wanted = min_version_for(account_id, given.token, None)
    except params.InputError as exc:
        return invalid(exc.field, exc.message)
    except TokenError as exc:
        return invalid("X-Consistency-Token", str(exc))
    timed_out = False
    if wanted is not None:
        timed_out = not await reads.watcher.wait(ACCOUNT_VIEW, account_id, wanted, reads.wait_seconds)
    try:
        doc = await reads.loader.get(ACCOUNT_VIEW, account_id)
        view = recent_balance(doc, account_id, moment) if doc is not None else None
        if view is None:
            if wanted is not None and not timed_out:
                doc_id = entry_id(account_id, wanted)
                timed_out = not await reads.watcher.wait(ACCOUNT_BALANCE_HISTORY, doc_id, wanted, reads.wait_seconds)
            view = await balance_as_of(reads.loader.db, reads.loader.resolver, account_id, moment)
    except BeforeOpening as before:
        opened = before.opened_at.isoformat()
        detail = f"account {account_id} did not exist at {as_of}: it was opened at {opened}"
        return problem(404, "Not found", detail, field="as_of", opened_at=opened)
    if view is None:
        return problem(404, "Not found", f"account {account_id} not found")
    body = view.model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return answer(body, etag, timed_out, given.if_none_match)
