"""Handlers of the Product aggregate: create, restock, change the price."""

from __future__ import annotations

from collections.abc import Callable

from command_service.commerce.commands import ChangePrice, CreateProduct, RestockProduct
from command_service.commerce.domain import product as product_domain
from command_service.commerce.handlers.streams import load_product
from command_service.event_store import AppendStream
from command_service.handling import Decision, Loader, new_events
from shared.envelope import EventMetadata
from shared.events import DomainEvent


async def _decide(
    load: Loader, metadata: EventMetadata, sku: str, decide: Callable[[product_domain.Product], list[DomainEvent]]
) -> Decision:
    state, version = await load_product(load, sku)
    stream = AppendStream(
        product_domain.stream_id(sku), product_domain.STREAM_TYPE, version, new_events(decide(state), metadata)
    )
    return Decision([stream], {"sku": sku})


async def create_product(cmd: CreateProduct, *, metadata: EventMetadata, load: Loader) -> Decision:
    return await _decide(
        load,
        metadata,
        cmd.sku,
        lambda state: product_domain.decide_create(
            state, sku=cmd.sku, name=cmd.name, category=cmd.category, price_paise=cmd.price_paise, stock=cmd.stock
        ),
    )


async def restock_product(cmd: RestockProduct, *, target_id: str, metadata: EventMetadata, load: Loader) -> Decision:
    return await _decide(
        load, metadata, target_id, lambda state: product_domain.decide_restock(state, quantity=cmd.quantity)
    )


async def change_price(cmd: ChangePrice, *, target_id: str, metadata: EventMetadata, load: Loader) -> Decision:
    return await _decide(
        load, metadata, target_id, lambda state: product_domain.decide_change_price(state, price_paise=cmd.price_paise)
    )
