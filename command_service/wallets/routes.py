"""The wallets context's command routes, under `/v1/wallets`: each turns a request into a
command and runs it. Errors are problem+json: 422 names a refusing PPI rule (`rule`,
`limit_paise`, `allowed_paise`) or an invalid field, 409 a conflict with the wallet's state or
a movement id reused with another body (`field`), 404 an unknown wallet or payment.

Access: a staff or service token needs `wallets:write`; a customer token opens its own wallet
and tops up, pays, transfers from and closes its own (another customer's wallet is a 404); KYC,
captures, voids, refunds, freezing and unfreezing are for staff and merchants' services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.api.owners import OwnedStream
from command_service.wallets.commands import (
    CaptureHold,
    CaptureRequest,
    CloseWallet,
    FreezeWallet,
    OpenWallet,
    PayFromWallet,
    RefundToWallet,
    TopUpWallet,
    TransferFromWallet,
    UnfreezeWallet,
    UpgradeKyc,
    VoidHold,
)
from shared.auth import OwnIdInBody, allow
from shared.streams import ID_PATTERN
from shared.wallets.scopes import WALLETS_WRITE
from shared.wallets.streams import WALLET, WALLET_ID_PATTERN, new_wallet_id

router = APIRouter(prefix="/v1/wallets")

WalletId = Annotated[str, Path(pattern=WALLET_ID_PATTERN)]
PaymentId = Annotated[str, Path(pattern=ID_PATTERN)]

STAFF = [allow(WALLETS_WRITE)]
CUSTOMERS_OWN_WALLET = [allow(WALLETS_WRITE, customers=OwnedStream(WALLET, "wallet_id"))]


@router.post("", status_code=201, dependencies=[allow(WALLETS_WRITE, customers=OwnIdInBody("customer_id"))])
async def open_wallet(request: Request, body: OpenWallet, meta: Meta) -> JSONResponse:
    """One wallet per customer: a second is a 409 naming the first (`wallet_id`)."""
    return await run_command(request, body, meta, target_id=new_wallet_id(), status=201)


@router.post("/{wallet_id}/kyc", dependencies=STAFF)
async def upgrade_kyc(request: Request, wallet_id: WalletId, body: UpgradeKyc, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/topups", dependencies=CUSTOMERS_OWN_WALLET)
async def top_up(request: Request, wallet_id: WalletId, body: TopUpWallet, meta: Meta) -> JSONResponse:
    """Idempotent by `topup_id`: the same body again answers the first result and appends nothing."""
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/payments", dependencies=CUSTOMERS_OWN_WALLET)
async def pay(request: Request, wallet_id: WalletId, body: PayFromWallet, meta: Meta) -> JSONResponse:
    """A direct debit, or with `hold: true` a pending one to capture or void before it expires."""
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/payments/{payment_id}/capture", dependencies=STAFF)
async def capture(
    request: Request, wallet_id: WalletId, payment_id: PaymentId, meta: Meta, body: CaptureRequest | None = None
) -> JSONResponse:
    """No `amount_paise`: the whole hold. Less: that much, the rest released."""
    amount = body.amount_paise if body else None
    return await run_command(
        request, CaptureHold(payment_id=payment_id, amount_paise=amount), meta, target_id=wallet_id
    )


@router.post("/{wallet_id}/payments/{payment_id}/void", dependencies=STAFF)
async def void(request: Request, wallet_id: WalletId, payment_id: PaymentId, meta: Meta) -> JSONResponse:
    return await run_command(request, VoidHold(payment_id=payment_id), meta, target_id=wallet_id)


@router.post("/{wallet_id}/transfers", dependencies=CUSTOMERS_OWN_WALLET)
async def transfer(request: Request, wallet_id: WalletId, body: TransferFromWallet, meta: Meta) -> JSONResponse:
    """P2P: the sender's and the receiver's events in one atomic append."""
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/refunds", dependencies=STAFF)
async def refund(request: Request, wallet_id: WalletId, body: RefundToWallet, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/freeze", dependencies=STAFF)
async def freeze(request: Request, wallet_id: WalletId, body: FreezeWallet, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/unfreeze", dependencies=STAFF)
async def unfreeze(request: Request, wallet_id: WalletId, body: UnfreezeWallet, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=wallet_id)


@router.post("/{wallet_id}/close", dependencies=CUSTOMERS_OWN_WALLET)
async def close(request: Request, wallet_id: WalletId, meta: Meta, body: CloseWallet | None = None) -> JSONResponse:
    """At zero balance, or with `to_bank_account` (refund to source) the balance leaves in the closing event."""
    return await run_command(request, body or CloseWallet(), meta, target_id=wallet_id)
