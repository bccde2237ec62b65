"""The order read models as pure folds over one lifecycle; redelivery changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projector_service.engine.apply import fold
from projector_service.registry import default_registry
from shared.commerce.events import (
    Address,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentMethod,
    PriceChanged,
    ProductCreated,
    ReturnReceived,
    ReturnRequested,
    StockReleased,
    StockReserved,
    StockRestocked,
    StockReturned,
    StockShipped,
)
from shared.commerce.read_models import id_key, search_tokens, sort_key, term_clauses
from shared.events import DomainEvent
from tests.unit.test_projections import stored

REGISTRY = default_registry()
PROJECTIONS, INDEXES = REGISTRY.projections, REGISTRY.indexes

T = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def placed(order_id: str = "ord-abc123", method: PaymentMethod = PaymentMethod.UPI, total: int = 118) -> OrderPlaced:
    line = OrderLine(
        sku="PHONE-1",
        name="Redmi Note 13",
        category="electronics",
        quantity=1,
        unit_price_paise=100,
        line_total_paise=100,
        gst_rate_percent=18,
        gst_paise=18,
    )
    return OrderPlaced(
        order_id=order_id,
        customer_id="cust-9",
        items=(line,),
        shipping_address=Address(name="A", line1="l", city="Bengaluru", state="KA", pincode="560001"),
        payment_method=method,
        subtotal_paise=100,
        gst_paise=18,
        total_paise=total,
        placed_at=T,
    )


def lifecycle(order_id: str = "ord-abc123") -> list[DomainEvent]:
    ids = {"order_id": order_id, "customer_id": "cust-9"}
    return [
        placed(order_id),
        PaymentCaptured(**ids, amount_paise=118, provider_reference="upi:77", captured_at=T + timedelta(minutes=1)),
        OrderConfirmed(**ids, confirmed_at=T + timedelta(minutes=1)),
        OrderShipped(**ids, courier="Delhivery", tracking_id="AWB5", shipped_at=T + timedelta(days=1)),
        OrderDelivered(**ids, delivered_at=T + timedelta(days=2), returnable_until=T + timedelta(days=9)),
        ReturnRequested(**ids, reason="wrong colour", requested_at=T + timedelta(days=3)),
        ReturnReceived(**ids, received_at=T + timedelta(days=5), refund_due_paise=118),
    ]


def test_order_view_shows_payment_shipment_return_and_every_step() -> None:
    doc = fold(PROJECTIONS["order_view"], None, stored("ord-abc123", "order", lifecycle()))
    assert doc is not None and doc["status"] == "RETURNED" and doc["version"] == 7
    assert doc["payment"]["provider_reference"] == "upi:77" and doc["payment"]["status"] == "REFUND_DUE"
    assert doc["shipment"]["tracking_id"] == "AWB5" and doc["shipment"]["delivered_at"] == T + timedelta(days=2)
    assert doc["return"]["reason"] == "wrong colour" and doc["refund_due_paise"] == 118
    assert [s["status"] for s in doc["timeline"]] == [
        "PENDING_PAYMENT",
        "PENDING_PAYMENT",  # the capture itself, then the confirmation it causes
        "CONFIRMED",
        "SHIPPED",
        "DELIVERED",
        "RETURN_REQUESTED",
        "RETURNED",
    ]
    assert doc["timeline"][5]["reason"] == "wrong colour"


def test_cancellation_with_refund_in_the_order_view_and_customer_list() -> None:
    ids = {"order_id": "ord-abc123", "customer_id": "cust-9"}
    events = stored(
        "ord-abc123",
        "order",
        [
            *lifecycle()[:3],
            OrderCancelled(**ids, reason="found it cheaper", cancelled_at=T + timedelta(hours=1), refund_due_paise=118),
        ],
    )
    view = fold(PROJECTIONS["order_view"], None, events)
    assert view is not None and view["status"] == "CANCELLED" and view["payment"]["status"] == "REFUND_DUE"
    assert view["timeline"][-1]["reason"] == "found it cheaper"
    listed = fold(PROJECTIONS["customer_orders"], None, events)
    assert listed is not None and listed["status"] == "CANCELLED" and listed["sort_key"] == sort_key(T, "ord-abc123")


def test_search_document_tokens_and_filters() -> None:
    doc = fold(PROJECTIONS["order_search"], None, stored("ord-abc123", "order", lifecycle()[:3]))
    assert doc is not None
    assert {"cust-9", "phone-1", "redmi", "note", "13", "ord-ab", "ord-abc123"} <= set(doc["tokens"])
    assert "ord-a" not in doc["tokens"]  # prefixes shorter than six characters would match everything
    assert (doc["status"], doc["city"], doc["pincode"], doc["total_paise"]) == ("CONFIRMED", "bengaluru", "560001", 118)
    assert search_tokens(order_id="ORD-X1", customer_id="C", skus=[], names=["Tata  Tea-Gold"]) == sorted(
        {"c", "ord-x1", "tata", "tea", "gold"}
    )
    assert doc["id_key"] == "ord-abc123" and "ord-abc" not in doc["tokens"]  # found through "ord-ab" and id_key


def _matches(doc: dict[str, Any], clauses: list[dict[str, Any]]) -> bool:
    """The clause shapes `term_clauses` makes, evaluated as MongoDB does on one document."""

    def one(clause: dict[str, Any]) -> bool:
        if "$or" in clause:
            return any(one(c) for c in clause["$or"])
        if "id_key" in clause:
            bounds = clause["id_key"]
            return bool(bounds["$gte"] <= doc["id_key"] < bounds["$lt"])
        wanted = clause["tokens"]
        return bool(set(wanted["$in"] if isinstance(wanted, dict) else [wanted]) & set(doc["tokens"]))

    return all(one(c) for c in clauses)


@pytest.mark.parametrize("order_id", ["ord-3fa9c2d41b7e4e0f9a1c5b6d7e8f9012", "ORD-X1", "ord-abc123", "ord-0007xyz"])
def test_a_term_matches_what_it_matched_when_every_prefix_was_a_token(order_id: str) -> None:
    """Fewer stored prefixes, same answers: a term matches a document exactly when it is one of the
    old tokens (customer id, SKUs, words, every order-id prefix of six characters or more)."""
    fields = {"customer_id": "cust-ord-4", "skus": ["ORD-12345", "PHONE-1"], "names": ["Redmi Note 13"]}
    doc = {"tokens": search_tokens(order_id=order_id, **fields), "id_key": id_key(order_id)}  # type: ignore[arg-type]
    key = order_id.lower()
    old = set(doc["tokens"]) | {key[:n] for n in range(6, len(key) + 1)}
    terms = {key[:n] for n in range(1, len(key) + 1)} | {t[:n] for t in old for n in range(1, len(t) + 1)}
    terms |= {key + "0", "ord-12346", "cust-ord-5", key[:-1] + "~"}
    for term in sorted(terms):
        assert _matches(doc, term_clauses(term)) == (term in old), term


def test_customer_summary_over_many_orders_and_redelivery() -> None:
    projection = PROJECTIONS["customer_summary"]
    a = stored("ord-a00001", "order", lifecycle("ord-a00001")[:3], first_position=1)
    b = stored(
        "ord-b00002",
        "order",
        [
            placed("ord-b00002", PaymentMethod.COD, total=500),
            OrderConfirmed(order_id="ord-b00002", customer_id="cust-9", confirmed_at=T),
        ],
        first_position=10,
    )
    c = stored(
        "ord-c00003",
        "order",
        [
            placed("ord-c00003", total=300),
            OrderCancelled(order_id="ord-c00003", customer_id="cust-9", reason="r", cancelled_at=T, refund_due_paise=0),
        ],
        first_position=20,
    )
    doc = fold(projection, None, a + b + c)
    assert doc is not None
    assert doc["order_count"] == 3 and doc["lifetime_value_paise"] == 118 + 500
    assert doc["average_order_value_paise"] == (118 + 500) // 2
    assert doc["counts_by_status"] == {"CONFIRMED": 2, "CANCELLED": 1}
    assert doc["cancellation_rate"] == round(1 / 3, 4)
    assert doc["top_categories"] == [{"category": "electronics", "spend_paise": 200}]
    assert doc["_applied"] == {"ord-a00001": 3, "ord-b00002": 2, "ord-c00003": 2}
    assert fold(projection, doc, a + b + c) is doc  # redelivered: nothing changes


def test_stock_view_follows_every_stock_move() -> None:
    events = stored(
        "product-P",
        "product",
        [
            ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=10),
            StockReserved(sku="P", order_id="o1", quantity=4),
            StockReleased(sku="P", order_id="o1", quantity=1),
            StockShipped(sku="P", order_id="o1", quantity=3),
            StockReturned(sku="P", order_id="o1", quantity=2),
            StockRestocked(sku="P", quantity=5),
            PriceChanged(sku="P", old_price_paise=100, new_price_paise=120),
        ],
    )
    doc = fold(PROJECTIONS["product_view"], None, events)
    assert doc is not None
    assert (doc["on_hand"], doc["reserved"], doc["available"], doc["in_stock"]) == (14, 0, 14, True)
    assert doc["price_paise"] == 120 and doc["version"] == 7


def test_every_read_model_has_its_indexes_named() -> None:
    assert {"customer_orders", "order_search", "product_view"} <= set(INDEXES)
    assert {"by_token", "by_status", "by_city", "by_pincode", "by_payment_method", "by_total", "by_time"} <= {
        i.document["name"] for i in INDEXES["order_search"]
    }
