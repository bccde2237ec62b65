"""Who owns what a UPI command acts on, for the routes' customer rule (`shared.auth.allow`): the
customer of the account or wallet a registration links (`OwnedLinkInBody`), the customer of the
VPA a payment is paid from (`OwnedVpaInBody`: the `customer_id` of the VPA's registration). Read
from the event store (a stream's first event, as `OwnedStream` does), remembered per app: they
never change. Missing, or another customer's, is the same 404. A body that is not JSON, or lacks
the field, is left to the route's validation (a 422)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from shared.auth import AccessDeniedError
from shared.auth.access import KnownOwners
from shared.auth.problems import hidden
from shared.banking.streams import ACCOUNT
from shared.events import parse_event
from shared.streams import StreamType
from shared.upi.streams import VPA
from shared.wallets.streams import WALLET


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _check(request: Request, customer: str, stream_type: StreamType, key: str, noun: str) -> None:
    known = KnownOwners.of(request.app.state)
    owner = known.get(stream_type.name, key)
    if owner is None:
        store = request.app.state.services().store
        first = await store.read_stream(stream_type.stream_id(key), 1, to_version=1)
        if first:
            event = parse_event(first[0].event_type, first[0].schema_version, first[0].data)
            found = getattr(event, "customer_id", None)
            owner = found if isinstance(found, str) else None
        if owner is not None:
            known.put(stream_type.name, key, owner)
    if owner != customer:
        raise AccessDeniedError(hidden(f"{noun} {key} not found"))


class OwnedLinkInBody:
    """A registration's `account_id` or `wallet_id` must be the customer's."""

    async def check(self, request: Request, customer: str) -> None:
        body = await _body(request)
        for field, stream_type in (("account_id", ACCOUNT), ("wallet_id", WALLET)):
            value = body.get(field)
            if isinstance(value, str):
                await _check(request, customer, stream_type, value, field.removesuffix("_id"))

    def __repr__(self) -> str:
        return "OwnedLinkInBody(account_id | wallet_id)"


class OwnedVpaInBody:
    """The body's VPA (`payer_vpa`) must be registered to the customer."""

    def __init__(self, field: str) -> None:
        self.field = field

    async def check(self, request: Request, customer: str) -> None:
        value = (await _body(request)).get(self.field)
        if isinstance(value, str):
            await _check(request, customer, VPA, value, "VPA")

    def __repr__(self) -> str:
        return f"OwnedVpaInBody({self.field!r})"
