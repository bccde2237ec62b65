"""Realistic order histories for the projector's tests and the rebuild benchmark, and the
views they fold into (the oracle a test compares the projector's collections with).

An order's life: placed (stock reserved per line), paid (prepaid) or not (COD),
confirmed, shipped (stock shipped), delivered; some are cancelled (stock released)
or fail payment. About five events per order on the order stream, interleaved
with other orders the way commits interleave in production.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from projector_service.engine.apply import fold, group_by_document
from projector_service.projections.commerce import MANIFEST as COMMERCE
from projector_service.registry import ProjectorRegistry
from shared.commerce.events import (
    Address,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    PaymentMethod,
    ProductCreated,
    StockReleased,
    StockReserved,
    StockShipped,
)
from shared.envelope import EventEnvelope, EventMetadata
from shared.events import DomainEvent

REGISTRY = ProjectorRegistry([COMMERCE])
"""The projections these histories feed (commerce's): the other contexts' views stay empty here."""
PROJECTIONS = REGISTRY.projections

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CITIES = [
    ("Bengaluru", "KA", "560001"),
    ("Mumbai", "MH", "400001"),
    ("Kolkata", "WB", "700016"),
    ("Pune", "MH", "411001"),
]
Step = list[tuple[str, str, DomainEvent]]  # (stream id, stream type, event): appended in one transaction


class HistoryBuilder:
    """Stored events with gap-free stream versions and increasing global positions."""

    def __init__(self, seed: int = 7, tag: str = "") -> None:
        self.rng = random.Random(seed)
        self.tag = tag
        self.events: list[EventEnvelope] = []
        self._versions: dict[str, int] = {}
        self._clock = START
        self._prices: dict[str, tuple[str, str, int]] = {}

    def append(self, step: Step) -> None:
        self._clock += timedelta(milliseconds=self.rng.randint(1, 50))
        for stream_id, stream_type, event in step:
            version = self._versions[stream_id] = self._versions.get(stream_id, 0) + 1
            self.events.append(
                EventEnvelope(
                    event_id=UUID(int=self.rng.getrandbits(128), version=4),
                    stream_id=stream_id,
                    stream_type=stream_type,
                    version=version,
                    position=len(self.events) + 1,
                    event_type=type(event).__name__,
                    schema_version=event.schema_version,
                    data=event.model_dump(mode="json"),
                    metadata=EventMetadata(correlation_id=f"corr-{len(self.events)}"),
                    recorded_at=self._clock,
                )
            )

    def products(self, count: int) -> list[str]:
        skus = []
        for n in range(count):
            sku = f"SKU-{self.tag}{n:04d}"
            name, category = self.rng.choice([("Redmi Note 13", "electronics"), ("Tata Tea Gold", "grocery")])
            price = self.rng.randint(50, 5000) * 100
            self._prices[sku] = (name, category, price)
            created = ProductCreated(sku=sku, name=name, category=category, price_paise=price, stock=1_000_000)
            self.append([(f"product-{sku}", "product", created)])
            skus.append(sku)
        return skus

    def orders(self, count: int, skus: list[str], *, active: int = 50) -> None:
        """`count` lifecycles, `active` of them in flight at any time, advanced in random order."""
        started = 0
        running: list[Iterator[Step]] = []
        while started < count or running:
            while started < count and len(running) < active:
                running.append(self._lifecycle(f"ord-{self.tag}{started:06d}", skus))
                started += 1
            pick = self.rng.randrange(len(running))
            step = next(running[pick], None)
            if step is None:
                running.pop(pick)
            else:
                self.append(step)

    def _lifecycle(self, order_id: str, skus: list[str]) -> Iterator[Step]:
        rng, at = self.rng, self._clock
        customer = f"cust-{self.tag}{rng.randrange(max(1, len(skus) * 4)):05d}"
        lines = []
        for sku in rng.sample(skus, k=min(len(skus), rng.choice([1, 1, 2, 3]))):
            name, category, price = self._prices[sku]
            quantity = rng.randint(1, 3)
            total = price * quantity
            lines.append(
                OrderLine(
                    sku=sku,
                    name=name,
                    category=category,
                    quantity=quantity,
                    unit_price_paise=price,
                    line_total_paise=total,
                    gst_rate_percent=18,
                    gst_paise=total * 18 // 100,
                )
            )
        subtotal = sum(line.line_total_paise for line in lines)
        gst = sum(line.gst_paise for line in lines)
        city, state, pincode = rng.choice(CITIES)
        method = rng.choice(list(PaymentMethod))
        ids = {"order_id": order_id, "customer_id": customer}
        stock = [(f"product-{line.sku}", "product", line.quantity, line.sku) for line in lines]
        placed = OrderPlaced(
            **ids,
            items=tuple(lines),
            payment_method=method,
            subtotal_paise=subtotal,
            gst_paise=gst,
            total_paise=subtotal + gst,
            placed_at=at,
            shipping_address=Address(name="Asha", line1="12 MG Road", city=city, state=state, pincode=pincode),
        )
        yield [(order_id, "order", placed)] + [
            (s, t, StockReserved(sku=k, order_id=order_id, quantity=q)) for s, t, q, k in stock
        ]
        fate = rng.random()
        if method.prepaid and fate < 0.08:
            yield [
                (
                    order_id,
                    "order",
                    PaymentFailed(
                        **ids, amount_paise=subtotal + gst, provider_reference="upi-x", reason="declined", failed_at=at
                    ),
                )
            ]
            yield [
                (order_id, "order", OrderCancelled(**ids, reason="payment failed", cancelled_at=at, refund_due_paise=0))
            ] + [(s, t, StockReleased(sku=k, order_id=order_id, quantity=q)) for s, t, q, k in stock]
            return
        if method.prepaid:
            yield [
                (
                    order_id,
                    "order",
                    PaymentCaptured(
                        **ids, amount_paise=subtotal + gst, provider_reference=f"pay-{order_id}", captured_at=at
                    ),
                )
            ]
        yield [(order_id, "order", OrderConfirmed(**ids, confirmed_at=at))]
        if fate > 0.95:
            yield [
                (
                    order_id,
                    "order",
                    OrderCancelled(
                        **ids,
                        reason="changed mind",
                        cancelled_at=at,
                        refund_due_paise=subtotal + gst if method.prepaid else 0,
                    ),
                )
            ] + [(s, t, StockReleased(sku=k, order_id=order_id, quantity=q)) for s, t, q, k in stock]
            return
        yield [
            (order_id, "order", OrderShipped(**ids, courier="Delhivery", tracking_id=f"DL{order_id}", shipped_at=at))
        ] + [(s, t, StockShipped(sku=k, order_id=order_id, quantity=q)) for s, t, q, k in stock]
        yield [(order_id, "order", OrderDelivered(**ids, delivered_at=at, returnable_until=at + timedelta(days=7)))]


def history(orders: int, *, products: int = 40, seed: int = 7, tag: str = "", active: int = 50) -> list[EventEnvelope]:
    builder = HistoryBuilder(seed, tag)
    builder.orders(orders, builder.products(products), active=active)
    return builder.events


def expected_views(events: list[EventEnvelope]) -> dict[str, dict[str, Any]]:
    """Every projection's documents, folded in memory from the whole history (the oracle)."""
    views: dict[str, dict[str, Any]] = {}
    for name, projection in PROJECTIONS.items():
        docs = {doc_id: fold(projection, None, envs) for doc_id, envs in group_by_document(projection, events).items()}
        views[name] = {doc_id: doc for doc_id, doc in docs.items() if doc is not None}
    return views
