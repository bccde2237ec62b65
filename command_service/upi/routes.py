"""The upi context's command routes, under `/v1/upi`. Errors are problem+json: 422 names a
refusing limit (`rule`, `limit_paise`, `allowed_paise`) or an invalid field, 409 a VPA taken or a
`payment_id` reused with another body (`field`), 404 an unknown VPA, account or wallet (`field`).

Access: a staff or service token needs `upi:write`; a customer token registers VPAs on its own
accounts and wallets, pays from its own VPAs, raises collect requests from its own (merchant)
VPAs and accepts or declines those raised on its own (another customer's is a 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.api.owners import OwnedStream
from command_service.upi.access import OwnedLinkInBody, OwnedVpaInBody
from command_service.upi.commands import AcceptCollect, DeclineCollect, PayByUpi, RegisterVpa, RequestCollect
from shared.auth import allow
from shared.streams import ID_PATTERN
from shared.upi.scopes import UPI_WRITE
from shared.upi.streams import COLLECT

router = APIRouter(prefix="/v1/upi")

CollectId = Annotated[str, Path(pattern=ID_PATTERN)]
PAYER_OF_COLLECT = [allow(UPI_WRITE, customers=OwnedStream(COLLECT, "collect_id", field="payer_customer_id"))]


@router.post("/vpas", status_code=201, dependencies=[allow(UPI_WRITE, customers=OwnedLinkInBody())])
async def register_vpa(request: Request, body: RegisterVpa, meta: Meta) -> JSONResponse:
    """A VPA of Bahi's psp, linked to one account or wallet; claimed once (a second is a 409)."""
    return await run_command(request, body, meta, target_id=body.vpa, status=201)


@router.post("/payments", status_code=201, dependencies=[allow(UPI_WRITE, customers=OwnedVpaInBody("payer_vpa"))])
async def pay(request: Request, body: PayByUpi, meta: Meta) -> JSONResponse:
    """Push only: debits the payer's account or wallet and credits the payee's in one append. The
    answer carries the RRN. Idempotent by `payment_id` (per payer VPA)."""
    return await run_command(request, body, meta, target_id=body.payer_vpa, status=201)


@router.post("/collects", status_code=201, dependencies=[allow(UPI_WRITE, customers=OwnedVpaInBody("payee_vpa"))])
async def request_collect(request: Request, body: RequestCollect, meta: Meta) -> JSONResponse:
    """Raised by a MERCHANT VPA (`payee_vpa`) only; lapses after the policy's expiry. Idempotent by
    `collect_id` (per merchant VPA)."""
    return await run_command(request, body, meta, target_id=body.payee_vpa, status=201)


@router.post("/collects/{collect_id}/accept", dependencies=PAYER_OF_COLLECT)
async def accept_collect(request: Request, collect_id: CollectId, meta: Meta) -> JSONResponse:
    """The payer pays it: the payment (`payment_id` = the collect id) and the acceptance in one append."""
    return await run_command(request, AcceptCollect(), meta, target_id=collect_id)


@router.post("/collects/{collect_id}/decline", dependencies=PAYER_OF_COLLECT)
async def decline_collect(
    request: Request, collect_id: CollectId, meta: Meta, body: DeclineCollect | None = None
) -> JSONResponse:
    return await run_command(request, body or DeclineCollect(), meta, target_id=collect_id)
