"""Handlers of the Product aggregate: create, restock, change the price."""

from __future__ import annotations

from collections.abc import Callable

from command_service.commands import ChangePrice, CreateProduct, RestockProduct
from command_service.domain import product as product_domain
from command_service.event_store import AppendStream, EventStore
from command_service.handlers.base import Clock, Decision, Envelope, Policy, load, new_events
from shared.events import DomainEvent


async def _decide(
    env: Envelope, store: EventStore, sku: str, decide: Callable[[product_domain.Product], list[DomainEvent]]
) -> Decision:
    stream_id = product_domain.stream_id(sku)
    state, version = await load(store, stream_id, product_domain.Product(sku=sku), product_domain.evolve)
    events = decide(state)
    return Decision(
        [AppendStream(stream_id, product_domain.STREAM_TYPE, version, new_events(events, env.metadata))], {"sku": sku}
    )


async def create_product(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, CreateProduct)
    return await _decide(
        env,
        store,
        cmd.sku,
        lambda state: product_domain.decide_create(
            state, sku=cmd.sku, name=cmd.name, category=cmd.category, price_paise=cmd.price_paise, stock=cmd.stock
        ),
    )


async def restock_product(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, RestockProduct) and env.target_id is not None
    return await _decide(
        env, store, env.target_id, lambda state: product_domain.decide_restock(state, quantity=cmd.quantity)
    )


async def change_price(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, ChangePrice) and env.target_id is not None
    return await _decide(
        env, store, env.target_id, lambda state: product_domain.decide_change_price(state, price_paise=cmd.price_paise)
    )
