"""Handlers of the Order aggregate. Steps that move stock append to the order's
stream and every product stream concerned in one transaction (all or nothing)."""

from __future__ import annotations

from datetime import timedelta

from command_service.commerce.commands import (
    CancelOrder,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    ShipOrder,
)
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import order_lifecycle as lifecycle
from command_service.commerce.handlers.streams import load_order, load_products, order_decision
from command_service.event_store import NO_STREAM
from command_service.handling import Clock, Decision, Loader
from shared.commerce.events import PaymentCaptured, PaymentFailed, SurplusPaymentCaptured
from shared.envelope import EventMetadata
from shared.events import DomainEvent


async def place_order(
    cmd: PlaceOrder, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    # The id is a fresh server-made UUID: its stream cannot exist, so reading it would be a
    # wasted round trip. Appending at NO_STREAM still guarantees it.
    order, version = order_domain.Order(order_id=target_id), NO_STREAM
    products, versions = await load_products(load, [item.sku for item in cmd.items])
    events, reservations = order_domain.decide_place(
        order,
        order_id=target_id,
        customer_id=cmd.customer_id,
        lines=[order_domain.RequestedLine(item.sku, item.quantity) for item in cmd.items],
        products=products,
        shipping_address=cmd.shipping_address,
        payment_method=cmd.payment_method,
        now=clock(),
        client_order_id=cmd.client_order_id,
    )
    return order_decision(target_id, metadata, version, events, reservations, versions)


async def record_payment(
    cmd: RecordPayment, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    order, version = await load_order(load, target_id)
    events = lifecycle.decide_payment(
        order,
        captured=cmd.status == "captured",
        amount_paise=cmd.amount_paise,
        provider_reference=cmd.provider_reference,
        reason=cmd.reason,
        now=clock(),
    )
    decision = order_decision(target_id, metadata, version, events)
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


async def ship_order(
    cmd: ShipOrder, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    order, version = await load_order(load, target_id)
    products, versions = await load_products(load, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_ship(
        order, courier=cmd.courier, tracking_id=cmd.tracking_id, products=products, now=clock()
    )
    return order_decision(target_id, metadata, version, events, moves, versions)


async def deliver_order(
    cmd: DeliverOrder,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    return_window: timedelta,
) -> Decision:
    order, version = await load_order(load, target_id)
    events = lifecycle.decide_deliver(order, now=clock(), return_window=return_window)
    return order_decision(target_id, metadata, version, events)


async def cancel_order(
    cmd: CancelOrder, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    order, version = await load_order(load, target_id)
    products, versions = await load_products(load, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_cancel(order, reason=cmd.reason, products=products, now=clock())
    return order_decision(target_id, metadata, version, events, moves, versions)


async def request_return(
    cmd: RequestReturn, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    order, version = await load_order(load, target_id)
    return order_decision(
        target_id, metadata, version, lifecycle.decide_request_return(order, reason=cmd.reason, now=clock())
    )


async def receive_return(
    cmd: ReceiveReturn, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    order, version = await load_order(load, target_id)
    products, versions = await load_products(load, [sku for sku, _ in order.quantities])
    events, moves = lifecycle.decide_receive_return(order, products=products, now=clock())
    return order_decision(target_id, metadata, version, events, moves, versions)
