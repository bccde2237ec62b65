"""Payments that arrive when the order no longer waits for one (pure, no I/O): a capture
after the order was cancelled (the saga's timeout beat a late UPI callback) or after it
was paid already is a refund due, the order keeps its status and its stock; captures
are idempotent by provider reference; a late failure changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command_service.commerce.domain import TRANSITIONS, OrderStatus, PaymentMismatchError
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import order_lifecycle as life
from command_service.commerce.domain.order_status import SURPLUS_CAPTURE
from shared.commerce.events import OrderCancelled, PaymentMethod, ReturnReceived, SurplusCause, SurplusPaymentCaptured
from shared.events import DomainEvent
from tests.support.aggregates import NOW, S, at, do_step, fold, placed


def capture(order: order_domain.Order, reference: str, amount: int | None = None) -> list[DomainEvent]:
    amount = order.total_paise if amount is None else amount
    return life.decide_payment(
        order, captured=True, amount_paise=amount, provider_reference=reference, reason=None, now=NOW
    )


def test_every_status_takes_a_capture_either_as_the_payment_or_as_a_refund_due() -> None:
    for status in S:
        assert (S.CONFIRMED in TRANSITIONS[status]) != (status in SURPLUS_CAPTURE), status
    assert SURPLUS_CAPTURE[S.CANCELLED] is SurplusCause.ORDER_CANCELLED
    assert {SURPLUS_CAPTURE[s] for s in SURPLUS_CAPTURE if s is not S.CANCELLED} == {SurplusCause.ALREADY_PAID}


def test_a_capture_after_the_timeout_cancelled_the_order_is_a_refund_due() -> None:
    order, products = at(S.CANCELLED)  # never paid: cancelled by the saga, its stock released
    events = capture(order, "upi-late")
    assert events == [
        SurplusPaymentCaptured(
            order_id="ord-1",
            customer_id="c-1",
            amount_paise=order.total_paise,
            provider_reference="upi-late",
            captured_at=NOW,
            cause=SurplusCause.ORDER_CANCELLED,
            refund_due_paise=order.total_paise,
        )
    ]
    after = fold(order, events)
    assert after.status is S.CANCELLED and after.paid_paise == 0  # not revived, nothing kept
    assert after.captures == (("upi-late", order.total_paise),)
    assert products["P"].available == 5 and products["P"].reserved == 0  # a payment moves no stock


def test_the_same_capture_delivered_again_records_nothing() -> None:
    order, _ = at(S.CANCELLED)
    order = fold(order, capture(order, "upi-late"))
    assert capture(order, "upi-late") == []  # no second refund due
    confirmed, _ = at(S.CONFIRMED)
    assert capture(confirmed, "upi-1") == []  # the capture that paid it, delivered again


def test_a_provider_reference_reused_for_another_amount_is_refused() -> None:
    order, _ = at(S.CANCELLED)
    order = fold(order, capture(order, "upi-late"))
    with pytest.raises(PaymentMismatchError) as caught:
        capture(order, "upi-late", amount=order.total_paise + 1)
    assert caught.value.status == 409
    assert caught.value.extra["recorded_paise"] == order.total_paise
    assert caught.value.extra["provider_reference"] == "upi-late"


def test_a_late_capture_must_still_match_the_total() -> None:
    order, _ = at(S.CANCELLED)
    with pytest.raises(PaymentMismatchError) as caught:
        capture(order, "upi-late", amount=order.total_paise - 1)
    assert caught.value.extra["expected_paise"] == order.total_paise


def test_a_cod_order_takes_no_capture_even_once_cancelled() -> None:
    order, products = placed(PaymentMethod.COD)
    order, _ = do_step("cancel", order, products)
    with pytest.raises(PaymentMismatchError):
        capture(order, "upi-late")


@pytest.mark.parametrize("status", [S.CONFIRMED, S.SHIPPED, S.DELIVERED, S.RETURN_REQUESTED, S.RETURNED])
def test_a_second_capture_of_a_paid_order_is_a_refund_due_of_the_duplicate(status: OrderStatus) -> None:
    order, _ = at(status)
    events = capture(order, "card-dup")
    assert len(events) == 1 and isinstance(events[0], SurplusPaymentCaptured)
    assert events[0].cause is SurplusCause.ALREADY_PAID and events[0].refund_due_paise == order.total_paise
    after = fold(order, events)
    assert after.status is status and after.paid_paise == order.paid_paise


def test_paid_cancelled_then_captured_again_owes_both_back_once_each() -> None:
    order, products = at(S.CONFIRMED)
    cancelled, _ = life.decide_cancel(order, reason="r", products=products, now=NOW)
    order = fold(order, cancelled)
    late = capture(order, "upi-2")
    assert isinstance(cancelled[0], OrderCancelled) and cancelled[0].refund_due_paise == order.total_paise
    assert isinstance(late[0], SurplusPaymentCaptured) and late[0].cause is SurplusCause.ORDER_CANCELLED
    assert capture(fold(order, late), "upi-1") == [] and capture(fold(order, late), "upi-2") == []


def test_a_return_refunds_what_the_order_kept_not_a_duplicate_already_owed() -> None:
    order, products = at(S.DELIVERED)
    order = fold(order, capture(order, "card-dup"))
    order, products = do_step("return", order, products)
    received, _ = life.decide_receive_return(order, products=products, now=NOW + timedelta(days=2))
    assert isinstance(received[0], ReturnReceived) and received[0].refund_due_paise == order.total_paise


@pytest.mark.parametrize("status", sorted(SURPLUS_CAPTURE))
def test_a_failure_reported_for_an_order_no_longer_waiting_changes_nothing(status: OrderStatus) -> None:
    order, _ = at(status)
    failed = life.decide_payment(
        order, captured=False, amount_paise=order.total_paise, provider_reference="upi-0", reason="late", now=NOW
    )
    assert failed == []
