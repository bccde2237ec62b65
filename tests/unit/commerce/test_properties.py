"""Property tests: random command sequences against the pure Order and Product
aggregates. Stock never goes negative, reserved + available = on hand, the units
reserved are exactly those of orders not yet shipped or cancelled, every paisa
captured is either kept by an order that stands or due back (never twice), and
replaying any stream's events rebuilds the same state."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from command_service.commerce.domain import OrderStatus
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import order_lifecycle as life
from command_service.commerce.domain import product as product_domain
from shared.commerce.events import (
    Address,
    OrderCancelled,
    PaymentCaptured,
    PaymentMethod,
    ReturnReceived,
    SurplusPaymentCaptured,
)
from shared.errors import DomainError
from shared.events import DomainEvent

NOW = datetime(2026, 11, 28, tzinfo=UTC)
ADDRESS = Address(name="A", line1="l", city="Pune", state="MH", pincode="411001")
SKUS = ["A", "B", "C"]
HOLDING = {OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.CONFIRMED}
KEEPING = {OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED}

sku = st.sampled_from(SKUS)
reference = st.sampled_from(["upi-1", "upi-2", "card-3"])
steps = st.sampled_from(["fail", "ship", "deliver", "cancel", "return", "receive"])
order_no = st.integers(0, 7)
commands = st.lists(
    st.one_of(
        st.tuples(
            st.just("place"),
            order_no,
            st.lists(st.tuples(sku, st.integers(1, 4)), min_size=1, max_size=3),
            st.sampled_from(list(PaymentMethod)),
        ),
        st.tuples(st.just("restock"), sku, st.integers(1, 5)),
        st.tuples(st.just("pay"), order_no, reference),
        st.tuples(steps, order_no),
    ),
    max_size=60,
)
# Two small prepaid orders and many payment reports: captures often meet an order
# already cancelled or paid (late callbacks, double charges, redeliveries).
few = st.integers(0, 1)
payment_heavy = st.lists(
    st.one_of(
        st.tuples(st.just("place"), few, st.just([("A", 1)]), st.sampled_from([PaymentMethod.UPI, PaymentMethod.CARD])),
        st.tuples(st.just("pay"), few, reference),
        st.tuples(st.just("cancel"), few),
        st.tuples(steps, few),
    ),
    max_size=30,
)


class World:
    def __init__(self) -> None:
        self.streams: dict[str, list[DomainEvent]] = {}
        self.products = {s: product_domain.Product(sku=s) for s in SKUS}
        self.orders: dict[str, order_domain.Order] = {}
        for s in SKUS:
            self._apply_product(
                s,
                product_domain.decide_create(
                    self.products[s], sku=s, name=s, category="books", price_paise=100, stock=3
                ),
            )

    def _apply_product(self, s: str, events: list[DomainEvent]) -> None:
        for event in events:
            self.products[s] = product_domain.evolve(self.products[s], event)
        self.streams.setdefault(f"product-{s}", []).extend(events)

    def _apply_order(self, order_id: str, events: list[DomainEvent], moves: dict[str, list[DomainEvent]]) -> None:
        state = self.orders.get(order_id, order_domain.Order(order_id=order_id))
        for event in events:
            state = order_domain.evolve(state, event)
        self.orders[order_id] = state
        self.streams.setdefault(order_id, []).extend(events)
        for s, product_events in moves.items():
            self._apply_product(s, product_events)

    def run(self, command: tuple) -> None:  # type: ignore[type-arg]
        kind = command[0]
        if kind == "restock":
            self._apply_product(
                command[1], product_domain.decide_restock(self.products[command[1]], quantity=command[2])
            )
            return
        order_id = f"ord-{command[1]}"
        order = self.orders.get(order_id, order_domain.Order(order_id=order_id))
        products = dict(self.products)
        if kind == "place":
            events, moves = order_domain.decide_place(
                order,
                order_id=order_id,
                customer_id="c",
                lines=[order_domain.RequestedLine(s, q) for s, q in command[2]],
                products=products,
                shipping_address=ADDRESS,
                payment_method=command[3],
                now=NOW,
            )
        elif kind in ("pay", "fail"):
            events, moves = (
                life.decide_payment(
                    order,
                    captured=kind == "pay",
                    amount_paise=max(order.total_paise, 1),
                    provider_reference=command[2] if kind == "pay" else "r",
                    reason=None,
                    now=NOW,
                ),
                {},
            )
        elif kind == "ship":
            events, moves = life.decide_ship(order, courier="c", tracking_id="t", products=products, now=NOW)
        elif kind == "deliver":
            events, moves = life.decide_deliver(order, now=NOW), {}
        elif kind == "cancel":
            events, moves = life.decide_cancel(order, reason="r", products=products, now=NOW)
        elif kind == "return":
            events, moves = life.decide_request_return(order, reason="r", now=NOW + timedelta(days=1)), {}
        else:
            events, moves = life.decide_receive_return(order, products=products, now=NOW)
        self._apply_order(order_id, events, moves)


@settings(max_examples=300, deadline=None)
@given(commands)
def test_stock_invariants_hold_for_any_command_sequence(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    world = World()
    for command in sequence:
        with contextlib.suppress(DomainError):  # refused: nothing may change, the invariants check that too
            world.run(command)
        for s, p in world.products.items():
            assert 0 <= p.reserved <= p.on_hand
            assert p.available >= 0 and p.reserved + p.available == p.on_hand
            held = sum(n for o in world.orders.values() if o.status in HOLDING for sku_, n in o.quantities if sku_ == s)
            assert p.reserved == held


def check_money(world: World) -> None:
    for order_id, order in world.orders.items():
        if not order.exists or not order.payment_method.prepaid:
            continue
        events = world.streams[order_id]
        captures = [e for e in events if isinstance(e, PaymentCaptured | SurplusPaymentCaptured)]
        references = [e.provider_reference for e in captures]
        assert len(references) == len(set(references))  # one refund due per capture, however often it came
        taken = sum(e.amount_paise for e in captures)
        owed = sum(e.refund_due_paise for e in events if isinstance(e, OrderCancelled | ReturnReceived))
        owed += sum(e.refund_due_paise for e in captures if isinstance(e, SurplusPaymentCaptured))
        kept = order.total_paise if order.status in KEEPING else 0
        assert taken == owed + kept


@settings(max_examples=300, deadline=None)
@given(st.one_of(commands, payment_heavy))
def test_every_paisa_captured_is_kept_by_a_standing_order_or_owed_back_once(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    world = World()
    for command in sequence:
        with contextlib.suppress(DomainError):
            world.run(command)
        check_money(world)


@settings(max_examples=200, deadline=None)
@given(commands)
def test_replaying_the_events_rebuilds_the_same_state(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    world = World()
    for command in sequence:
        with contextlib.suppress(DomainError):
            world.run(command)
    for stream_id, events in world.streams.items():
        if stream_id.startswith("product-"):
            replayed_product = product_domain.Product(sku=stream_id.removeprefix("product-"))
            for event in events:
                replayed_product = product_domain.evolve(replayed_product, event)
            assert replayed_product == world.products[replayed_product.sku]
        else:
            replayed = order_domain.Order(order_id=stream_id)
            for event in events:
                replayed = order_domain.evolve(replayed, event)
            assert replayed == world.orders[stream_id]
