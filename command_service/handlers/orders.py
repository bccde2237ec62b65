"""Handlers of the Order aggregate. Steps that move stock append to the order's
stream and every product stream concerned in one transaction (all or nothing)."""

from __future__ import annotations

from command_service.commands import (
    CancelOrder,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    ShipOrder,
)
from command_service.domain import order as order_domain
from command_service.domain import order_lifecycle as lifecycle
from command_service.event_store import NO_STREAM, AppendStream, EventStore
from command_service.handlers.base import (
    Clock,
    Decision,
    Envelope,
    Policy,
    load,
    load_products,
    new_events,
    product_streams,
)
from shared.events import DomainEvent, PaymentCaptured, PaymentFailed, SurplusPaymentCaptured


async def _load_order(env: Envelope, store: EventStore) -> tuple[order_domain.Order, int]:
    assert env.target_id is not None
    return await load(store, env.target_id, order_domain.Order(order_id=env.target_id), order_domain.evolve)


def _decision(
    env: Envelope,
    version: int,
    events: list[DomainEvent],
    moves: dict[str, list[DomainEvent]] | None = None,
    versions: dict[str, int] | None = None,
) -> Decision:
    assert env.target_id is not None
    streams = [AppendStream(env.target_id, order_domain.STREAM_TYPE, version, new_events(events, env.metadata))]
    streams += product_streams(moves or {}, versions or {}, env.metadata)
    return Decision(streams, {"order_id": env.target_id})


async def place_order(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, PlaceOrder) and env.target_id is not None
    # The id is a fresh server-made UUID: its stream cannot exist, so reading it would be a
    # wasted round trip. Appending at NO_STREAM still guarantees it.
    order, version = order_domain.Order(order_id=env.target_id), NO_STREAM
    products, versions = await load_products(store, [item.sku for item in cmd.items])
    events, reservations = order_domain.decide_place(
        order,
        order_id=env.target_id,
        customer_id=cmd.customer_id,
        lines=[order_domain.RequestedLine(item.sku, item.quantity) for item in cmd.items],
        products=products,
        shipping_address=cmd.shipping_address,
        payment_method=cmd.payment_method,
        now=clock(),
        client_order_id=cmd.client_order_id,
    )
    return _decision(env, version, events, reservations, versions)


async def record_payment(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, RecordPayment)
    order, version = await _load_order(env, store)
    events = lifecycle.decide_payment(
        order,
        captured=cmd.status == "captured",
        amount_paise=cmd.amount_paise,
        provider_reference=cmd.provider_reference,
        reason=cmd.reason,
        now=clock(),
    )
    decision = _decision(env, version, events)
    return Decision(decision.streams, {**decision.response, "outcome": _payment_outcome(events)})


def _payment_outcome(events: list[DomainEvent]) -> str:
    """What the provider's report did, for the provider's integration to log."""
    match events:
        case [PaymentCaptured(), *_]:
            return "CONFIRMED"
        case [SurplusPaymentCaptured()]:
            return "REFUND_DUE"
        case [PaymentFailed()]:
            return "FAILED"
    return "UNCHANGED"  # the same capture again, or a failure for an order that no longer waits


async def ship_order(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, ShipOrder)
    order, version = await _load_order(env, store)
    products, versions = await load_products(store, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_ship(
        order, courier=cmd.courier, tracking_id=cmd.tracking_id, products=products, now=clock()
    )
    return _decision(env, version, events, moves, versions)


async def deliver_order(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    assert isinstance(env.command, DeliverOrder)
    order, version = await _load_order(env, store)
    return _decision(env, version, lifecycle.decide_deliver(order, now=clock(), return_window=policy.return_window))


async def cancel_order(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, CancelOrder)
    order, version = await _load_order(env, store)
    products, versions = await load_products(store, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_cancel(order, reason=cmd.reason, products=products, now=clock())
    return _decision(env, version, events, moves, versions)


async def request_return(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    cmd = env.command
    assert isinstance(cmd, RequestReturn)
    order, version = await _load_order(env, store)
    return _decision(env, version, lifecycle.decide_request_return(order, reason=cmd.reason, now=clock()))


async def receive_return(env: Envelope, *, store: EventStore, clock: Clock, policy: Policy) -> Decision:
    assert isinstance(env.command, ReceiveReturn)
    order, version = await _load_order(env, store)
    products, versions = await load_products(store, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_receive_return(order, products=products, now=clock())
    return _decision(env, version, events, moves, versions)
