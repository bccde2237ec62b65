"""Command handlers: load the aggregates, decide, and say what to append.

Handlers are plain `async def`s, command first, ports keyword-only, registered in
`COMMAND_HANDLERS`. `dispatch` wraps every one of them the same way: idempotency,
If-Match, bounded retry of concurrency conflicts, one atomic append.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import uuid4

import orjson

from command_service.commands import Command, CreateProduct, PlaceOrder
from command_service.domain import order as order_domain
from command_service.domain import product as product_domain
from command_service.event_store import (
    AppendStream,
    ConcurrencyError,
    ConsistencyToken,
    DuplicateIdempotencyKeyError,
    EventStore,
    IdempotencyRecord,
)
from shared.envelope import EventMetadata, NewEvent
from shared.events import DomainEvent, parse_event

Clock = Callable[[], datetime]
S = TypeVar("S")


@dataclass(frozen=True)
class Decision:
    """What a handler decided: the streams to append to (the first is the command's
    own stream, whose version goes into the consistency token) and the answer body."""

    streams: list[AppendStream]
    response: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    response: dict[str, Any]
    token: ConsistencyToken
    replayed: bool = False

    def body(self) -> dict[str, Any]:
        return {
            **self.response,
            "version": self.token.version,
            "position": self.token.position,
            "consistency_token": self.token.encode(),
        }


class IdempotencyKeyReusedError(Exception):
    """The same Idempotency-Key came with a different request."""


class PreconditionFailedError(Exception):
    """If-Match named a version the stream is not at."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, If-Match said {expected}")
        self.expected = expected
        self.actual = actual


class ConflictError(Exception):
    """Still conflicting after the bounded number of retries."""


@dataclass(frozen=True)
class Envelope:
    """A command with what the HTTP layer knows about its request."""

    command: Command
    idempotency_key: str | None = None
    expected_version: int | None = None
    metadata: EventMetadata = field(default_factory=EventMetadata)
    target_id: str | None = None


async def load(store: EventStore, stream_id: str, initial: S, evolve: Callable[[S, DomainEvent], S]) -> tuple[S, int]:
    state, version = initial, 0
    for stored in await store.read_stream(stream_id):
        state = evolve(state, parse_event(stored.event_type, stored.schema_version, stored.data))
        version = stored.version
    return state, version


def new_events(events: list[DomainEvent], metadata: EventMetadata) -> list[NewEvent]:
    return [
        NewEvent(
            event_id=uuid4(),
            event_type=type(event).__name__,
            schema_version=event.schema_version,
            data=event.model_dump(mode="json"),
            metadata=metadata,
        )
        for event in events
    ]


async def create_product(env: Envelope, *, store: EventStore, clock: Clock) -> Decision:
    cmd = env.command
    assert isinstance(cmd, CreateProduct)
    stream_id = product_domain.stream_id(cmd.sku)
    state, version = await load(store, stream_id, product_domain.Product(sku=cmd.sku), product_domain.evolve)
    events = product_domain.decide_create(
        state, sku=cmd.sku, name=cmd.name, category=cmd.category, price_paise=cmd.price_paise, stock=cmd.stock
    )
    return Decision(
        [AppendStream(stream_id, product_domain.STREAM_TYPE, version, new_events(events, env.metadata))],
        {"sku": cmd.sku},
    )


async def place_order(env: Envelope, *, store: EventStore, clock: Clock) -> Decision:
    cmd = env.command
    assert isinstance(cmd, PlaceOrder) and env.target_id is not None
    order_id = env.target_id
    order, order_version = await load(store, order_id, order_domain.Order(), order_domain.evolve)
    products: dict[str, product_domain.Product] = {}
    product_versions: dict[str, int] = {}
    for sku in dict.fromkeys(item.sku for item in cmd.items):
        products[sku], product_versions[sku] = await load(
            store, product_domain.stream_id(sku), product_domain.Product(sku=sku), product_domain.evolve
        )
    order_events, reservations = order_domain.decide_place(
        order,
        order_id=order_id,
        customer_id=cmd.customer_id,
        lines=[order_domain.RequestedLine(item.sku, item.quantity) for item in cmd.items],
        products=products,
        shipping_address=cmd.shipping_address,
        payment_method=cmd.payment_method,
        now=clock(),
        client_order_id=cmd.client_order_id,
    )
    streams = [AppendStream(order_id, order_domain.STREAM_TYPE, order_version, new_events(order_events, env.metadata))]
    streams += [
        AppendStream(
            product_domain.stream_id(sku),
            product_domain.STREAM_TYPE,
            product_versions[sku],
            new_events(events, env.metadata),
        )
        for sku, events in reservations.items()
    ]
    return Decision(streams, {"order_id": order_id})


Handler = Callable[..., Awaitable[Decision]]

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    CreateProduct: create_product,
    PlaceOrder: place_order,
}


def request_hash(env: Envelope) -> str:
    target = None if env.command.creates_aggregate else env.target_id
    body = {"command": type(env.command).__name__, "target": target, "data": env.command.model_dump(mode="json")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def dispatch(env: Envelope, *, store: EventStore, clock: Clock, max_attempts: int = 5) -> Outcome:
    handler = COMMAND_HANDLERS[type(env.command)]
    digest = request_hash(env)
    for _ in range(max_attempts):
        if env.idempotency_key is not None:
            seen = await store.idempotency(env.idempotency_key)
            if seen is not None:
                if seen.request_hash != digest:
                    raise IdempotencyKeyReusedError(env.idempotency_key)
                return Outcome(seen.response, seen.token, replayed=True)
        decision = await handler(env, store=store, clock=clock)
        primary = decision.streams[0]
        if env.expected_version is not None and primary.expected_version != env.expected_version:
            raise PreconditionFailedError(primary.stream_id, env.expected_version, primary.expected_version)
        record = IdempotencyRecord(env.idempotency_key, digest, decision.response) if env.idempotency_key else None
        try:
            result = await store.append(decision.streams, record)
        except ConcurrencyError as exc:
            if env.expected_version is not None and exc.stream_id == primary.stream_id:
                raise PreconditionFailedError(exc.stream_id, env.expected_version, exc.actual) from exc
            continue  # someone wrote first: reload and decide again
        except DuplicateIdempotencyKeyError:
            continue  # a concurrent twin won; the next round answers with its result
        return Outcome(decision.response, result.token(primary.stream_id))
    raise ConflictError(f"still conflicting after {max_attempts} attempts; retry the request")
