"""The customer summary: one document per customer, fed by all of their orders
(a multi-stream projection: the engine guards each order stream's version).

It keeps each order's status, total and spend per category in `_orders` and
recomputes the figures from it, so a status change (a cancellation, a return)
moves every figure consistently. Lifetime value counts orders that were paid for
or confirmed and not cancelled or returned, each at its total once: a surplus
capture (paid after the order was cancelled, or paid twice) is owed back, so it
never counts.
"""

from __future__ import annotations

from typing import Any

from projector_service.engine import Document, Projection
from projector_service.projections.commerce.order_steps import step
from shared.commerce.events import OrderPlaced
from shared.commerce.read_models import CUSTOMER_SUMMARY
from shared.commerce.streams import ORDER, OrderStatus
from shared.envelope import EventEnvelope
from shared.events import DomainEvent

TOP_CATEGORIES = 5
_NOT_VALUED = {OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED, OrderStatus.RETURNED}


def _doc_id(env: EventEnvelope) -> str | None:
    if env.stream_type != ORDER.name:
        return None
    customer = env.data.get("customer_id")
    return customer if isinstance(customer, str) else None


def _figures(customer_id: str, orders: dict[str, dict[str, Any]]) -> Document:
    counts: dict[str, int] = {}
    spend: dict[str, int] = {}
    valued = 0
    value = 0
    for order in orders.values():
        counts[order["status"]] = counts.get(order["status"], 0) + 1
        if order["status"] in _NOT_VALUED:
            continue
        valued += 1
        value += order["total"]
        for category, paise in order["categories"]:
            spend[category] = spend.get(category, 0) + paise
    placed = [order["placed_at"] for order in orders.values()]
    top = sorted(spend.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    return {
        "_id": customer_id,
        "customer_id": customer_id,
        "order_count": len(orders),
        "lifetime_value_paise": value,
        "average_order_value_paise": value // valued if valued else 0,
        # Sorted: a rebuild (other arrival order across partitions) gives byte-identical documents.
        "counts_by_status": dict(sorted(counts.items())),
        "top_categories": [{"category": c, "spend_paise": p} for c, p in top],
        "first_order_at": min(placed) if placed else None,
        "last_order_at": max(placed) if placed else None,
        "cancellation_rate": round(counts.get(OrderStatus.CANCELLED, 0) / len(orders), 4) if orders else 0.0,
        "_orders": dict(sorted(orders.items())),
    }


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    orders: dict[str, dict[str, Any]] = dict(doc["_orders"]) if doc else {}
    if isinstance(event, OrderPlaced):
        categories: dict[str, int] = {}
        for line in event.items:
            categories[line.category] = categories.get(line.category, 0) + line.line_total_paise
        orders[event.order_id] = {
            "status": OrderStatus.PENDING_PAYMENT,
            "total": event.total_paise,
            "placed_at": event.placed_at,
            "categories": sorted(categories.items()),
        }
        return _figures(event.customer_id, orders)
    change = step(event)
    if doc is None or change is None or env.stream_id not in orders:
        return doc
    if change.status is not None:
        orders[env.stream_id] = {**orders[env.stream_id], "status": change.status}
    return _figures(doc["customer_id"], orders)


CUSTOMER_SUMMARY_VIEW = Projection(
    name=CUSTOMER_SUMMARY,
    collection=CUSTOMER_SUMMARY,
    stream_types=(ORDER.name,),
    doc_id=_doc_id,
    apply=apply,
    multi_stream=True,
)
