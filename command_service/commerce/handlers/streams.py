"""Loading commerce aggregates and turning decided events into append requests: an order's
stream and, for steps that move stock, every product stream concerned, in one append."""

from __future__ import annotations

from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import product as product_domain
from command_service.event_store import AppendStream
from command_service.handling import Decision, Loader, new_events
from shared.envelope import EventMetadata
from shared.events import DomainEvent


async def load_order(load: Loader, order_id: str) -> tuple[order_domain.Order, int]:
    return await load(order_id, order_domain.Order(order_id=order_id), order_domain.evolve)


async def load_product(load: Loader, sku: str) -> tuple[product_domain.Product, int]:
    return await load(product_domain.stream_id(sku), product_domain.Product(sku=sku), product_domain.evolve)


async def load_products(load: Loader, skus: list[str]) -> tuple[dict[str, product_domain.Product], dict[str, int]]:
    products: dict[str, product_domain.Product] = {}
    versions: dict[str, int] = {}
    for sku in dict.fromkeys(skus):
        products[sku], versions[sku] = await load_product(load, sku)
    return products, versions


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


def order_decision(
    order_id: str,
    metadata: EventMetadata,
    version: int,
    events: list[DomainEvent],
    moves: dict[str, list[DomainEvent]] | None = None,
    versions: dict[str, int] | None = None,
) -> Decision:
    streams = [AppendStream(order_id, order_domain.STREAM_TYPE, version, new_events(events, metadata))]
    streams += product_streams(moves or {}, versions or {}, metadata)
    return Decision(streams, {"order_id": order_id})
