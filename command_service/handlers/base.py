"""What every handler shares: the envelope it is given, the decision it returns,
loading an aggregate from its stream and wrapping domain events for the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import uuid4

from command_service import loading
from command_service.commands import Command
from command_service.domain import order as order_domain
from command_service.domain import product as product_domain
from command_service.domain.order_lifecycle import DEFAULT_RETURN_WINDOW
from command_service.event_store import AppendStream, EventStore
from command_service.handlers.cache import cached, remember
from command_service.loading import AggregateType
from shared.envelope import EventMetadata, NewEvent
from shared.events import DomainEvent, parse_event

Clock = Callable[[], datetime]
S = TypeVar("S")


@dataclass(frozen=True)
class Policy:
    """Business settings a handler may need (read from Settings by the composition root)."""

    return_window: timedelta = DEFAULT_RETURN_WINDOW


@dataclass(frozen=True)
class Envelope:
    """A command with what the HTTP layer knows about its request."""

    command: Command
    idempotency_key: str | None = None
    expected_version: int | None = None
    metadata: EventMetadata = field(default_factory=EventMetadata)
    target_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a handler decided: the streams to append to (the first is the command's
    own stream, whose version goes into the consistency token) and the answer body."""

    streams: list[AppendStream]
    response: dict[str, Any] = field(default_factory=dict)


def snapshot_policies(*, product_every: int, order_every: int) -> dict[Callable[..., Any], AggregateType[Any]]:
    """Snapshot settings per aggregate type, keyed by the type's `evolve`. Bump a
    `schema_version` when that aggregate's state changes shape: old snapshots are then ignored."""
    return {
        product_domain.evolve: AggregateType(
            product_domain.STREAM_TYPE,
            product_domain.Product,
            product_domain.evolve,
            schema_version=1,
            snapshot_every=product_every,
        ),
        order_domain.evolve: AggregateType(
            order_domain.STREAM_TYPE,
            order_domain.Order,
            order_domain.evolve,
            schema_version=2,  # v2: `captures` (provider references), so older snapshots lack them
            snapshot_every=order_every,
        ),
    }


SNAPSHOTS = snapshot_policies(product_every=100, order_every=50)


def configure_snapshots(*, product_every: int, order_every: int) -> None:
    """Called once by the composition root with the service's settings."""
    SNAPSHOTS.clear()
    SNAPSHOTS.update(snapshot_policies(product_every=product_every, order_every=order_every))


async def load(store: EventStore, stream_id: str, initial: S, evolve: Callable[[S, DomainEvent], S]) -> tuple[S, int]:
    """The aggregate's state and version: the cached state plus the events appended since;
    on a cold start, the latest valid snapshot plus the events after it."""
    hit = cached(store, stream_id, evolve)
    if hit is None and (kind := SNAPSHOTS.get(evolve)) is not None and kind.snapshot_every:
        state, version = await loading.load(store, kind, stream_id, initial)
        if version:
            remember(store, stream_id, evolve, state, version)
        return state, version
    state, version = hit or (initial, 0)
    newer = await store.read_stream(stream_id, from_version=version + 1)
    for stored in newer:
        state = evolve(state, parse_event(stored.event_type, stored.schema_version, stored.data))
        version = stored.version
    if newer:
        remember(store, stream_id, evolve, state, version)
    return state, version


async def load_products(store: EventStore, skus: list[str]) -> tuple[dict[str, product_domain.Product], dict[str, int]]:
    products: dict[str, product_domain.Product] = {}
    versions: dict[str, int] = {}
    for sku in dict.fromkeys(skus):
        products[sku], versions[sku] = await load(
            store, product_domain.stream_id(sku), product_domain.Product(sku=sku), product_domain.evolve
        )
    return products, versions


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


def product_streams(
    moves: dict[str, list[DomainEvent]], versions: dict[str, int], metadata: EventMetadata
) -> list[AppendStream]:
    """The product streams of a multi-stream decision, each at the version it was read at."""
    return [
        AppendStream(
            product_domain.stream_id(sku), product_domain.STREAM_TYPE, versions[sku], new_events(events, metadata)
        )
        for sku, events in moves.items()
        if events
    ]
