"""Who owns a view's document, for the customer rule of a query route (`shared.auth.allow`):
`OwnedDocument(ORDER_VIEW, "order_id")` — the customer named by the `customer_id` of the
document the path parameter keys (the statement and the balance of a wallet are the wallet
view's). Read through the coalescing loader and remembered per app: the owner field of a
document is set when it is made and never changes.

A read asking to wait for a write (a consistency token or `min_version`) of a document not
there yet waits (bounded, the watcher's) for it to appear, so a customer reading its own new
order right after placing it is answered as a staff token would be. A document missing after
that, or another customer's, is the same 404."""

from __future__ import annotations

from fastapi import Request

from query_service.api.deps import reads_of
from shared.auth import AccessDeniedError
from shared.auth.access import KnownOwners
from shared.auth.problems import hidden


class OwnedDocument:
    def __init__(self, read_model: str, param: str, field: str = "customer_id", noun: str | None = None) -> None:
        self.read_model, self.param, self.field = read_model, param, field
        self.noun = noun or param.removesuffix("_id")

    async def check(self, request: Request, customer: str) -> None:
        key = request.path_params[self.param]
        known = KnownOwners.of(request.app.state)
        owner = known.get(self.read_model, key)
        if owner is None:
            owner = await self._owner(request, key)
            if owner is not None:
                known.put(self.read_model, key, owner)
        if owner != customer:
            raise AccessDeniedError(hidden(f"{self.noun} {key} not found"))

    async def _owner(self, request: Request, key: str) -> str | None:
        reads = reads_of(request.app.state)
        doc = await reads.loader.get(self.read_model, key)
        waits = "x-consistency-token" in request.headers or "min_version" in request.query_params
        if doc is None and waits and await reads.watcher.wait(self.read_model, key, 1, reads.wait_seconds):
            doc = await reads.loader.get(self.read_model, key)
        owner = doc.get(self.field) if doc is not None else None
        return owner if isinstance(owner, str) else None

    def __repr__(self) -> str:
        return f"OwnedDocument({self.read_model}, {self.param!r})"
