"""Command routes: each turns a request into an Envelope and dispatches it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse

from command_service.commands import (
    ID_PATTERN,
    SKU_PATTERN,
    CancelOrder,
    ChangePrice,
    Command,
    CreateProduct,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    RestockProduct,
    ShipOrder,
)
from command_service.handlers import Envelope, Policy, dispatch
from shared.envelope import EventMetadata
from shared.web import problem

router = APIRouter(prefix="/v1")

_IF_MATCH = re.compile(r'^(?:W/)?"(\d+)"$')
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
Sku = Annotated[str, Path(pattern=SKU_PATTERN)]
OrderId = Annotated[str, Path(pattern=ID_PATTERN)]


async def _run(
    request: Request,
    command: Command,
    *,
    key: str | None,
    if_match: str | None,
    target_id: str | None = None,
    status: int = 200,
) -> JSONResponse:
    if key is not None and not _KEY.match(key):
        return problem(
            422, "Invalid request", "Idempotency-Key: 1 to 200 printable characters", field="Idempotency-Key"
        )
    expected = None
    if if_match is not None:
        match = _IF_MATCH.match(if_match.strip())
        if match is None:
            return problem(422, "Invalid request", 'If-Match: expected "<version>"', field="If-Match")
        expected = int(match.group(1))
    services = request.app.state.services()
    command_id = str(uuid4())
    metadata = EventMetadata(
        correlation_id=request.headers.get("X-Correlation-Id") or command_id,
        command_id=command_id,
        actor=request.headers.get("X-Actor"),
        traceparent=request.headers.get("traceparent"),
    )
    envelope = Envelope(command, idempotency_key=key, expected_version=expected, metadata=metadata, target_id=target_id)
    settings = services.settings
    outcome = await dispatch(
        envelope,
        store=services.store,
        clock=services.clock,
        policy=Policy(return_window=timedelta(days=settings.return_window_days)),
        max_attempts=settings.max_conflict_retries,
    )
    headers = {"X-Consistency-Token": outcome.token.encode(), "ETag": f'"{outcome.token.version}"'}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body(), status_code=status, headers=headers)


@router.post("/products", status_code=201)
async def create_product(
    request: Request, body: CreateProduct, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, status=201)


@router.post("/products/{sku}/restock")
async def restock_product(
    request: Request, sku: Sku, body: RestockProduct, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=sku)


@router.post("/products/{sku}/price")
async def change_price(
    request: Request, sku: Sku, body: ChangePrice, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=sku)


@router.post("/orders", status_code=201)
async def place_order(
    request: Request, body: PlaceOrder, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=f"ord-{uuid4().hex}", status=201)


@router.post("/orders/{order_id}/payment", summary="Record a payment provider's report (captured or failed)")
async def record_payment(
    request: Request, order_id: OrderId, body: RecordPayment, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    """The answer's `outcome` says what the report did:

    - `CONFIRMED`: a capture of the order's total paid a waiting prepaid order.
    - `REFUND_DUE`: a capture arrived when the order no longer waits for payment — it was
      cancelled (e.g. by the payment timeout before a late UPI callback) or is paid already
      by another capture. The money is recorded as due back to the customer in full; the
      order keeps its status (a cancelled order stays cancelled, its stock released).
    - `FAILED`: a failed attempt on a waiting order (the payment saga then cancels it).
    - `UNCHANGED`: nothing to record — the same capture again (captures are idempotent by
      `provider_reference`, with or without an `Idempotency-Key`), or a failure reported
      for an order that no longer waits for payment. The answer names the current version.

    409 when a capture's amount is not the order's total, when a `provider_reference`
    already recorded comes with another amount, or for a cash-on-delivery order (paid on
    delivery); 404 for an unknown order.
    """
    return await _run(request, body, key=key, if_match=if_match, target_id=order_id)


@router.post("/orders/{order_id}/shipment")
async def ship_order(
    request: Request, order_id: OrderId, body: ShipOrder, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=order_id)


@router.post("/orders/{order_id}/delivery")
async def deliver_order(
    request: Request,
    order_id: OrderId,
    body: DeliverOrder | None = None,
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> JSONResponse:
    return await _run(request, body or DeliverOrder(), key=key, if_match=if_match, target_id=order_id)


@router.post("/orders/{order_id}/cancellation")
async def cancel_order(
    request: Request, order_id: OrderId, body: CancelOrder, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=order_id)


@router.post("/orders/{order_id}/return")
async def request_return(
    request: Request, order_id: OrderId, body: RequestReturn, key: IdempotencyKey = None, if_match: IfMatch = None
) -> JSONResponse:
    return await _run(request, body, key=key, if_match=if_match, target_id=order_id)


@router.post("/orders/{order_id}/return/receipt")
async def receive_return(
    request: Request,
    order_id: OrderId,
    body: ReceiveReturn | None = None,
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> JSONResponse:
    return await _run(request, body or ReceiveReturn(), key=key, if_match=if_match, target_id=order_id)
