"""The commerce context's command routes: each turns a request into a command and runs it.
Each declares its access: the scope a staff or service token needs, and what a customer token
may do (place its own orders, cancel them, ask to return them; nothing else)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.api.owners import OwnedStream
from command_service.commerce.commands import (
    CancelOrder,
    ChangePrice,
    CreateProduct,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    RestockProduct,
    ShipOrder,
)
from shared.auth import OwnIdInBody, allow
from shared.commerce.scopes import CATALOG_WRITE, ORDERS_WRITE, PAYMENTS_WRITE
from shared.commerce.streams import ORDER, SKU_PATTERN, new_order_id
from shared.streams import ID_PATTERN

router = APIRouter(prefix="/v1")

Sku = Annotated[str, Path(pattern=SKU_PATTERN)]
OrderId = Annotated[str, Path(pattern=ID_PATTERN)]

CATALOG = [allow(CATALOG_WRITE)]
STAFF = [allow(ORDERS_WRITE)]
CUSTOMERS_OWN_ORDER = [allow(ORDERS_WRITE, customers=OwnedStream(ORDER, "order_id"))]


@router.post("/products", status_code=201, dependencies=CATALOG)
async def create_product(request: Request, body: CreateProduct, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, status=201)


@router.post("/products/{sku}/restock", dependencies=CATALOG)
async def restock_product(request: Request, sku: Sku, body: RestockProduct, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=sku)


@router.post("/products/{sku}/price", dependencies=CATALOG)
async def change_price(request: Request, sku: Sku, body: ChangePrice, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=sku)


@router.post("/orders", status_code=201, dependencies=[allow(ORDERS_WRITE, customers=OwnIdInBody("customer_id"))])
async def place_order(request: Request, body: PlaceOrder, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=new_order_id(), status=201)


@router.post(
    "/orders/{order_id}/payment",
    summary="Record a payment provider's report (captured or failed)",
    dependencies=[allow(PAYMENTS_WRITE)],
)
async def record_payment(request: Request, order_id: OrderId, body: RecordPayment, meta: Meta) -> JSONResponse:
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
    return await run_command(request, body, meta, target_id=order_id)


@router.post("/orders/{order_id}/shipment", dependencies=STAFF)
async def ship_order(request: Request, order_id: OrderId, body: ShipOrder, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=order_id)


@router.post("/orders/{order_id}/delivery", dependencies=STAFF)
async def deliver_order(
    request: Request,
    order_id: OrderId,
    meta: Meta,
    body: DeliverOrder | None = None,
) -> JSONResponse:
    return await run_command(request, body or DeliverOrder(), meta, target_id=order_id)


@router.post("/orders/{order_id}/cancellation", dependencies=CUSTOMERS_OWN_ORDER)
async def cancel_order(request: Request, order_id: OrderId, body: CancelOrder, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=order_id)


@router.post("/orders/{order_id}/return", dependencies=CUSTOMERS_OWN_ORDER)
async def request_return(request: Request, order_id: OrderId, body: RequestReturn, meta: Meta) -> JSONResponse:
    return await run_command(request, body, meta, target_id=order_id)


@router.post("/orders/{order_id}/return/receipt", dependencies=STAFF)
async def receive_return(
    request: Request,
    order_id: OrderId,
    meta: Meta,
    body: ReceiveReturn | None = None,
) -> JSONResponse:
    return await run_command(request, body or ReceiveReturn(), meta, target_id=order_id)
