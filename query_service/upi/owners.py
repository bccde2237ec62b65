"""Who owns what a UPI read names, for the routes' customer rule: a payment belongs to both its
payer's and its payee's customers (`PaymentParty`: the payment view's `customer_ids`), a collect
request to the payer's and the merchant's (`CollectParty`: the collect view's `customer_ids`); a
list by VPA to the VPA's customer (`OwnedVpaInQuery`: the VPA view's `customer_id`). Missing, or
another customer's, is the same 404."""

from __future__ import annotations

from fastapi import Request

from query_service.api.deps import reads_of
from shared.auth import AccessDeniedError
from shared.auth.problems import hidden
from shared.upi.read_models import UPI_COLLECT_VIEW, UPI_PAYMENT_VIEW, UPI_VPA_VIEW


class PaymentParty:
    async def check(self, request: Request, customer: str) -> None:
        rrn = request.path_params["rrn"]
        reads = reads_of(request.app.state)
        doc = await reads.loader.get(UPI_PAYMENT_VIEW, rrn)
        waits = "x-consistency-token" in request.headers
        if doc is None and waits and await reads.watcher.wait(UPI_PAYMENT_VIEW, rrn, 1, reads.wait_seconds):
            doc = await reads.loader.get(UPI_PAYMENT_VIEW, rrn)
        if doc is None or customer not in doc.get("customer_ids", ()):
            raise AccessDeniedError(hidden(f"payment {rrn} not found"))

    def __repr__(self) -> str:
        return "PaymentParty(rrn)"


class CollectParty:
    async def check(self, request: Request, customer: str) -> None:
        collect_id = request.path_params["collect_id"]
        reads = reads_of(request.app.state)
        doc = await reads.loader.get(UPI_COLLECT_VIEW, collect_id)
        waits = "x-consistency-token" in request.headers
        if doc is None and waits and await reads.watcher.wait(UPI_COLLECT_VIEW, collect_id, 1, reads.wait_seconds):
            doc = await reads.loader.get(UPI_COLLECT_VIEW, collect_id)
        if doc is None or customer not in doc.get("customer_ids", ()):
            raise AccessDeniedError(hidden(f"collect {collect_id} not found"))

    def __repr__(self) -> str:
        return "CollectParty(collect_id)"


class OwnedVpaInQuery:
    async def check(self, request: Request, customer: str) -> None:
        vpa = request.query_params.get("vpa")
        if vpa is None:
            return  # the route's validation names the missing parameter (a 422)
        doc = await reads_of(request.app.state).loader.get(UPI_VPA_VIEW, vpa)
        if doc is None or doc.get("customer_id") != customer:
            raise AccessDeniedError(hidden(f"VPA {vpa} not found"))

    def __repr__(self) -> str:
        return "OwnedVpaInQuery('vpa')"
