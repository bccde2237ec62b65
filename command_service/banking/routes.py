"""The banking context's command routes, under `/v1/accounts`: each turns a request into a
command and runs it. Errors are problem+json: 422 names a refusing rule (`rule`, `limit_paise`,
`allowed_paise` or `minimum_paise`) or an invalid field, 409 a conflict with the account's
state or a movement id reused with another body (`field`), 404 an unknown account.

Access: a staff or service token needs `banking:write`; a customer token opens its own account
and withdraws from, transfers from and closes its own (another customer's account is a 404);
deposits (a teller's or the clearing's), minimum-balance charges, freezing and unfreezing are
for staff and the bank's services. The audit trail and past states are in `audit`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.api.owners import OwnedStream
from command_service.banking.commands import (
    ChargeMinimumBalance,
    CloseAccount,
    Deposit,
    FreezeAccount,
    OpenAccount,
    Transfer,
    UnfreezeAccount,
    Withdraw,
)
from shared.auth import OwnIdInBody, allow
from shared.banking.scopes import BANKING_WRITE
from shared.banking.streams import ACCOUNT, ACCOUNT_ID_PATTERN, new_account_id

router = APIRouter(prefix="/v1/accounts")

AccountId = Annotated[str, Path(pattern=ACCOUNT_ID_PATTERN)]

STAFF = [allow(BANKING_WRITE)]
CUSTOMERS_OWN_ACCOUNT = [allow(BANKING_WRITE, customers=OwnedStream(ACCOUNT, "account_id"))]


@router.post("", status_code=201, dependencies=[allow(BANKING_WRITE, customers=OwnIdInBody("customer_id"))])
async def open_account(request: Request, body: OpenAccount, meta: Meta) -> JSONResponse:
    """A new account with a 14-digit account number of its own (`account_number`)."""
    return await run_command(request, body, meta, target_id=new_account_id(), status=201)


@router.post("/{account_id}/deposits", dependencies=STAFF)
async def deposit(request: Request, account_id: AccountId, body: Deposit, meta: Meta) -> JSONResponse:
    """Idempotent by `txn_id`: the same body again answers the first result and appends nothing."""
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/withdrawals", dependencies=CUSTOMERS_OWN_ACCOUNT)
async def withdraw(request: Request, account_id: AccountId, body: Withdraw, meta: Meta) -> JSONResponse:
    """Idempotent by `txn_id`; never beyond the balance, never from a frozen account."""
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/transfers", dependencies=CUSTOMERS_OWN_ACCOUNT)
async def transfer(request: Request, account_id: AccountId, body: Transfer, meta: Meta) -> JSONResponse:
    """INTERNAL: both accounts in one atomic append. NEFT, RTGS, IMPS: debited now, `PENDING`
    until the clearing settles or returns it (a return is credited back once, with its reason)."""
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/charges/minimum-balance", dependencies=STAFF)
async def charge_minimum_balance(
    request: Request, account_id: AccountId, body: ChargeMinimumBalance, meta: Meta
) -> JSONResponse:
    """For an IST month that has ended, on its average end-of-day balance (SAVINGS only); once
    per month; never below a zero balance."""
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/freeze", dependencies=STAFF)
async def freeze(request: Request, account_id: AccountId, body: FreezeAccount, meta: Meta) -> JSONResponse:
    """A frozen account takes credits, no debits."""
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/unfreeze", dependencies=STAFF)
async def unfreeze(request: Request, account_id: AccountId, body: UnfreezeAccount, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=account_id)


@router.post("/{account_id}/close", dependencies=CUSTOMERS_OWN_ACCOUNT)
async def close(request: Request, account_id: AccountId, meta: Meta, body: CloseAccount | None = None) -> JSONResponse:
    """At zero balance, with no transfer pending."""
    return await run_command(request, body or CloseAccount(), meta, target_id=account_id)
