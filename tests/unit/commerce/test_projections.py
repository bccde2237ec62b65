"""The commerce read models as pure folds (no I/O): the order view, the customer's order list and
summary, the search document and its term clauses, the product's stock view and every read
model's indexes; a surplus capture shown as a refund due while the order keeps its status;
redelivered events change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from projector_service.engine.apply import fold, group_by_document
from projector_service.registry import default_registry
from query_service.commerce.views.orders import OrderView
from shared.commerce.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
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
    SurplusCause,
    SurplusPaymentCaptured,
)
from shared.commerce.read_models import id_key, search_tokens, sort_key, term_clauses
from shared.events import DomainEvent
from tests.support.views import T, lifecycle, order_events, placed, stored

REGISTRY = default_registry()
PROJECTIONS, INDEXES = REGISTRY.projections, REGISTRY.indexes


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


def test_order_view_follows_the_order() -> None:
    doc = fold(PROJECTIONS["order_view"], None, order_events())
    assert doc is not None
    assert doc["status"] == "CONFIRMED"
    assert [step["status"] for step in doc["timeline"]] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert doc["version"] == 2 and doc["total_paise"] == 118


def test_redelivery_changes_nothing() -> None:
    projection = PROJECTIONS["order_view"]
    events = order_events()
    once = fold(projection, None, events)
    assert fold(projection, once, events) is once
    assert fold(projection, once, events[:1]) is once


def test_stock_view_counts_reservations() -> None:
    events = stored(
        "product-P",
        "product",
        [
            ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=10),
            StockReserved(sku="P", order_id="o1", quantity=3),
            StockReserved(sku="P", order_id="o2", quantity=2),
        ],
    )
    doc = fold(PROJECTIONS["product_view"], None, events)
    assert doc is not None
    assert (doc["on_hand"], doc["reserved"], doc["available"], doc["version"]) == (10, 5, 5, 3)


def test_events_are_grouped_per_document_and_other_streams_ignored() -> None:
    groups = group_by_document(
        PROJECTIONS["order_view"],
        order_events()
        + stored(
            "product-P",
            "product",
            [ProductCreated(sku="P", name="Phone", category="electronics", price_paise=100, stock=10)],
        ),
    )
    assert list(groups) == ["ord-1"] and len(groups["ord-1"]) == 2


IDS = {"order_id": "ord-late01", "customer_id": "cust-9"}


def surplus(reference: str, cause: SurplusCause, minutes: int) -> SurplusPaymentCaptured:
    return SurplusPaymentCaptured(
        **IDS,
        amount_paise=118,
        provider_reference=reference,
        captured_at=T + timedelta(minutes=minutes),
        cause=cause,
        refund_due_paise=118,
    )


def timed_out_then_captured() -> list[DomainEvent]:
    """The saga cancelled the unpaid order; the UPI callback came afterwards."""
    return [
        placed("ord-late01"),
        OrderCancelled(
            **IDS, reason="payment not received within 900s", cancelled_at=T + timedelta(minutes=15), refund_due_paise=0
        ),
        surplus("UPI:late-1", SurplusCause.ORDER_CANCELLED, 17),
    ]


def test_the_order_view_shows_a_late_capture_as_a_refund_due_and_stays_cancelled() -> None:
    events = stored("ord-late01", "order", timed_out_then_captured())
    doc = fold(PROJECTIONS["order_view"], None, events)
    assert doc is not None and doc["status"] == "CANCELLED" and doc["version"] == 3
    payment = doc["payment"]
    assert (payment["status"], payment["amount_paise"], payment["provider_reference"]) == (
        "REFUND_DUE",
        118,
        "UPI:late-1",
    )
    assert payment["captured_at"] == T + timedelta(minutes=17) and payment["refund_references"] == ["UPI:late-1"]
    assert payment["attempts"] == 1 and doc["refund_due_paise"] == 118
    last = doc["timeline"][-1]
    assert (last["status"], last["event"]) == ("CANCELLED", "SurplusPaymentCaptured")
    assert "after the order was cancelled" in last["reason"] and last["at"] == T + timedelta(minutes=17)
    view = OrderView.model_validate(doc)  # the query side reads it as it is
    assert view.payment is not None and view.payment.refund_references == ["UPI:late-1"]

    assert fold(PROJECTIONS["order_view"], doc, events) is doc  # redelivered: nothing changes
    assert fold(PROJECTIONS["order_view"], doc, events[-1:]) is doc


def test_paid_cancelled_then_captured_again_owes_both_captures() -> None:
    events = [
        placed("ord-late01"),
        PaymentCaptured(**IDS, amount_paise=118, provider_reference="UPI:1", captured_at=T),
        OrderConfirmed(**IDS, confirmed_at=T),
        OrderCancelled(**IDS, reason="changed my mind", cancelled_at=T + timedelta(hours=1), refund_due_paise=118),
        surplus("UPI:2", SurplusCause.ORDER_CANCELLED, 90),
    ]
    doc = fold(PROJECTIONS["order_view"], None, stored("ord-late01", "order", events))
    assert doc is not None and doc["status"] == "CANCELLED" and doc["refund_due_paise"] == 236
    payment = doc["payment"]
    assert payment["status"] == "REFUND_DUE" and payment["provider_reference"] == "UPI:1"  # the order's own
    assert payment["refund_references"] == ["UPI:1", "UPI:2"]


def test_a_double_capture_of_a_paid_order_is_owed_back_and_a_return_adds_the_payment() -> None:
    events = [
        placed("ord-late01", PaymentMethod.CARD),
        PaymentCaptured(**IDS, amount_paise=118, provider_reference="pay_1", captured_at=T),
        OrderConfirmed(**IDS, confirmed_at=T),
        OrderShipped(**IDS, courier="Ekart", tracking_id="FMPP2", shipped_at=T + timedelta(days=1)),
        surplus("pay_2", SurplusCause.ALREADY_PAID, 60 * 25),
    ]
    view = PROJECTIONS["order_view"]
    shipped = fold(view, None, stored("ord-late01", "order", events))
    assert shipped is not None and shipped["status"] == "SHIPPED"
    assert shipped["payment"]["status"] == "CAPTURED" and shipped["payment"]["provider_reference"] == "pay_1"
    assert shipped["payment"]["refund_references"] == ["pay_2"] and shipped["refund_due_paise"] == 118
    assert "already paid" in shipped["timeline"][-1]["reason"]
    events += [
        OrderDelivered(**IDS, delivered_at=T + timedelta(days=2), returnable_until=T + timedelta(days=9)),
        ReturnRequested(**IDS, reason="defective", requested_at=T + timedelta(days=3)),
        ReturnReceived(**IDS, received_at=T + timedelta(days=4), refund_due_paise=118),
    ]
    returned = fold(view, None, stored("ord-late01", "order", events))
    assert returned is not None and returned["status"] == "RETURNED" and returned["refund_due_paise"] == 236
    assert returned["payment"]["status"] == "REFUND_DUE"
    assert returned["payment"]["refund_references"] == ["pay_2", "pay_1"]


def test_the_other_read_models_keep_the_status_and_count_no_revenue_for_it() -> None:
    late = stored("ord-late01", "order", timed_out_then_captured(), first_position=1)
    ids = {"order_id": "ord-paid02", "customer_id": "cust-9"}
    paid = stored(
        "ord-paid02",
        "order",
        [
            placed("ord-paid02"),
            PaymentCaptured(**ids, amount_paise=118, provider_reference="UPI:p", captured_at=T),
            OrderConfirmed(**ids, confirmed_at=T),
            SurplusPaymentCaptured(
                **ids,
                amount_paise=118,
                provider_reference="UPI:dup",
                captured_at=T + timedelta(minutes=5),
                cause=SurplusCause.ALREADY_PAID,
                refund_due_paise=118,
            ),
        ],
        first_position=10,
    )
    summary_projection = PROJECTIONS["customer_summary"]
    summary = fold(summary_projection, None, late + paid)
    assert summary is not None
    assert summary["lifetime_value_paise"] == 118  # the standing order once; neither surplus capture
    assert summary["counts_by_status"] == {"CANCELLED": 1, "CONFIRMED": 1}
    assert summary["_applied"] == {"ord-late01": 3, "ord-paid02": 4}
    assert fold(summary_projection, summary, late + paid) is summary  # redelivered: nothing changes
    for name in ("customer_orders", "order_search"):
        doc = fold(PROJECTIONS[name], None, late)
        assert doc is not None and doc["status"] == "CANCELLED" and doc["version"] == 3
