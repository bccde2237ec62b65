"""An account's audit trail and its state at a past moment, served by the command service from
the event store (never a view):

- `GET /v1/accounts/{id}/audit?from=&to=&limit=&cursor=`: the account's events oldest first,
  each with who (`actor`), why (`reason`), the request id and the client's address from its
  metadata, and the money it moved; `from`/`to` bound the recorded time (inclusive).
- `GET /v1/accounts/{id}/state?as_of=<time>|version=<n>`: the account rebuilt as it stood then
  (nothing given: now). Both start from the stream's latest snapshot at or before that version
  or moment (the store keeps one every BAHI_SNAPSHOT_EVERY_ACCOUNT events, each with the
  recorded time of its event) and fold only the events after it.

Staff only (`banking:audit`): the trail names staff members and client addresses.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from command_service.banking import domain
from command_service.banking.aggregates import account_type
from command_service.handling.loading import load
from shared.auth import allow
from shared.banking.scopes import BANKING_AUDIT
from shared.banking.streams import ACCOUNT, ACCOUNT_ID_PATTERN
from shared.envelope import EventEnvelope
from shared.web import invalid, problem

router = APIRouter(prefix="/v1/accounts")

AccountId = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN)]
Moment = Annotated[datetime | None, Query(description="RFC 3339 with its offset (e.g. 2026-12-01T10:00:00Z)")]
AUDIT = [allow(BANKING_AUDIT)]
_CHUNK = 200
_READS = account_type(snapshot_every=1)
"""The account's aggregate type for reads at a version: its snapshots are read, never written."""
_MONEY = ("amount_paise", "charged_paise", "balance_after_paise")
_IDS = ("txn_id", "transfer_id", "month")


def _unknown(request: Request, allowed: set[str]) -> JSONResponse | None:
    unknown = sorted(set(request.query_params) - allowed)
    return invalid(unknown[0], "unknown query parameter") if unknown else None


def _aware(name: str, moment: datetime | None) -> JSONResponse | None:
    if moment is not None and moment.tzinfo is None:
        return invalid(name, "give a time zone (UTC: ...Z; IST: %2B05:30)")
    return None


def _cursor(raw: str | None) -> int | JSONResponse:
    if raw is None:
        return 1
    try:
        version = int(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return invalid("cursor", "not a cursor from this API")
    return version if version >= 1 else invalid("cursor", "not a cursor from this API")


def entry(env: EventEnvelope) -> dict[str, Any]:
    """One line of the audit trail."""
    meta, data = env.metadata, env.data
    line: dict[str, Any] = {
        "version": env.version,
        "event_type": env.event_type,
        "recorded_at": env.recorded_at.isoformat(),
        "occurred_at": data.get("occurred_at"),
        "actor": meta.actor,
        "reason": meta.reason,
        "request_id": meta.request_id,
        "client_address": meta.client_address,
        "command_id": meta.command_id,
        "correlation_id": meta.correlation_id,
        "causation_id": meta.causation_id,
    }
    line.update({name: data[name] for name in (*_IDS, *_MONEY) if name in data})
    return line


@router.get("/{account_id}/audit", dependencies=AUDIT)
async def audit(
    request: Request,
    account_id: AccountId,
    start: Annotated[Moment, Query(alias="from")] = None,
    end: Annotated[Moment, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$")] = None,
) -> JSONResponse:
    """Oldest first; the cursor is the next version to read, so later events never shift a page."""
    bad = _unknown(request, {"from", "to", "limit", "cursor"}) or _aware("from", start) or _aware("to", end)
    if bad is not None:
        return bad
    if start and end and start > end:
        return invalid("to", "must not be before from")
    version = _cursor(cursor)
    if isinstance(version, JSONResponse):
        return version
    store = request.app.state.services().store
    stream_id = ACCOUNT.stream_id(account_id)
    if await store.stream_version(stream_id) == 0:
        return problem(404, "Not found", f"account {account_id} not found")
    found: list[EventEnvelope] = []
    more = False
    while not more:
        chunk = await store.read_stream(stream_id, version, to_version=version + _CHUNK - 1, as_of=end)
        for env in chunk:
            if start is None or env.recorded_at >= start:
                if len(found) == limit:
                    more = True
                    break
                found.append(env)
        if len(chunk) < _CHUNK:
            break
        version += _CHUNK
    next_cursor = None
    if more:
        next_cursor = base64.urlsafe_b64encode(str(found[-1].version + 1).encode()).decode().rstrip("=")
    return JSONResponse({"account_id": account_id, "entries": [entry(e) for e in found], "next_cursor": next_cursor})


def view(state: domain.Account) -> dict[str, Any]:
    """The account's state as the temporal query shows it."""
    pending = [
        {
            "transfer_id": transfer_id,
            "rail": p.rail.value,
            "amount_paise": p.amount_paise,
            "to_account_number": p.to_account_number,
            "to_ifsc": p.to_ifsc,
            "initiated_at": p.initiated_at.isoformat(),
        }
        for transfer_id, p in sorted(state.pending.items())
    ]
    return {
        "account_id": state.account_id,
        "account_number": state.account_number,
        "customer_id": state.customer_id,
        "holder_name": state.holder_name,
        "type": state.account_type.value,
        "branch_ifsc": state.branch_ifsc,
        "status": state.status.value if state.status else None,
        "balance_paise": state.balance_paise,
        "pending_out_paise": state.pending_paise,
        "pending_transfers": pending,
        "credits_by_fy": dict(sorted(state.credits_by_fy.items())),
        "debits_by_month": dict(sorted(state.debits_by_month.items())),
        "charged_months": dict(sorted(state.charged_months.items())),
        "upi_open": dict(sorted(state.upi_open.items())),
    }


@router.get("/{account_id}/state", dependencies=AUDIT)
async def state_then(
    request: Request,
    account_id: AccountId,
    as_of: Moment = None,
    version: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> JSONResponse:
    """The account as it stood at `as_of` (recorded time) or after its event `version`."""
    bad = _unknown(request, {"as_of", "version"}) or _aware("as_of", as_of)
    if bad is not None:
        return bad
    if as_of is not None and version is not None:
        return invalid("version", "give as_of or version, not both")
    store = request.app.state.services().store
    stream_id = ACCOUNT.stream_id(account_id)
    current = await store.stream_version(stream_id)
    if current == 0:
        return problem(404, "Not found", f"account {account_id} not found")
    if version is not None and version > current:
        return invalid("version", f"account {account_id} is at version {current}")
    upto = None if as_of is not None else version or current
    state, at = await load(
        store, _READS, stream_id, domain.Account(account_id=account_id), to_version=upto, as_of=as_of
    )
    if at == 0:
        first = await store.read_stream(stream_id, 1, to_version=1)
        opened = first[0].recorded_at.isoformat()
        detail = f"account {account_id} did not exist at {as_of}: it was opened at {opened}"
        return problem(404, "Not found", detail, field="as_of", opened_at=opened)
    [last] = await store.read_stream(stream_id, at, to_version=at)
    body = {
        "as_of": as_of.isoformat() if as_of else None,
        "version": at,
        "recorded_at": last.recorded_at.isoformat(),
        "event_type": last.event_type,
        "current_version": current,
        "state": view(state),
    }
    return JSONResponse(body)
