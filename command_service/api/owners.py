"""Who owns an aggregate, for the customer rule of a command route (`shared.auth.allow`):
`OwnedStream(ORDER, "order_id")` — the customer named by the `customer_id` of the first event
of the stream the path parameter names (the event that made it: `OrderPlaced`,
`WalletOpened`). Read from the event store (one row, upcast like any read), remembered per app:
a stream's first event never changes. A stream with no events, or another customer's, is the
same 404."""

from __future__ import annotations

from fastapi import Request

from shared.auth import AccessDeniedError
from shared.auth.access import KnownOwners
from shared.auth.problems import hidden
from shared.events import parse_event
from shared.streams import StreamType


class OwnedStream:
    def __init__(self, stream_type: StreamType, param: str, field: str = "customer_id") -> None:
        self.stream_type, self.param, self.field = stream_type, param, field

    async def check(self, request: Request, customer: str) -> None:
        key = request.path_params[self.param]
        known = KnownOwners.of(request.app.state)
        owner = known.get(self.stream_type.name, key)
        if owner is None:
            owner = await self._owner(request, key)
            if owner is not None:
                known.put(self.stream_type.name, key, owner)
        if owner != customer:
            raise AccessDeniedError(hidden(f"{self.stream_type.name} {key} not found"))

    async def _owner(self, request: Request, key: str) -> str | None:
        store = request.app.state.services().store
        first = await store.read_stream(self.stream_type.stream_id(key), 1, to_version=1)
        if not first:
            return None
        event = parse_event(first[0].event_type, first[0].schema_version, first[0].data)
        owner = getattr(event, self.field, None)
        return owner if isinstance(owner, str) else None

    def __repr__(self) -> str:
        return f"OwnedStream({self.stream_type.name}, {self.param!r})"
