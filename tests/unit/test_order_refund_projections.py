"""The order read models after a surplus capture (a payment captured when the order was
cancelled already, or paid already): the order view shows the refund due, the other
read models keep the order's status, the customer summary counts no revenue for it,
and a redelivered event changes nothing."""

from __future__ import annotations

from datetime import timedelta

from projector_service.engine.apply import fold
from projector_service.registry import default_registry
from query_service.commerce.views.orders import OrderView
from shared.commerce.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderShipped,
    PaymentCaptured,
    PaymentMethod,
    ReturnReceived,
    ReturnRequested,
    SurplusCause,
    SurplusPaymentCaptured,
)
from shared.events import DomainEvent
from tests.unit.test_orders_projections import T, placed
from tests.unit.test_projections import stored

PROJECTIONS = default_registry().projections

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
