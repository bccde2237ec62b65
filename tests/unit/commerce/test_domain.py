"""The Order and Product aggregates (pure decide/evolve, no I/O): every transition allowed exactly
when the table says, payments, cancellation, shipping, returns and their stock moves; prices
from the catalogue with GST per category, stock reservations and their invariants."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command_service.commerce.domain import (
    TRANSITIONS,
    IllegalTransitionError,
    OrderNotFoundError,
    OrderStatus,
    OutOfStockError,
    PaymentMismatchError,
    PriceUnchangedError,
    ProductNotFoundError,
    ReturnWindowClosedError,
    StockInvariantError,
)
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import order_lifecycle as life
from command_service.commerce.domain import product as product_domain
from command_service.commerce.domain.order_status import SURPLUS_CAPTURE
from command_service.commerce.domain.pricing import gst_paise
from shared.commerce.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
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
from tests.support.aggregates import ADDRESS, NOW, S, at, do_step, fold, fold_product, placed, product


def pay(order: order_domain.Order) -> order_domain.Order:
    return fold(
        order,
        life.decide_payment(
            order, captured=True, amount_paise=order.total_paise, provider_reference="upi-1", reason=None, now=NOW
        ),
    )


def place(
    products: dict[str, product_domain.Product], lines: list[tuple[str, int]], method: PaymentMethod = PaymentMethod.UPI
) -> tuple[list, dict]:
    return order_domain.decide_place(
        order_domain.Order(),
        order_id="ord-1",
        customer_id="c-1",
        lines=[order_domain.RequestedLine(sku, qty) for sku, qty in lines],
        products=products,
        shipping_address=ADDRESS,
        payment_method=method,
        now=NOW,
    )


STEP_TARGET = {
    "pay": S.CONFIRMED,
    "fail": S.PAYMENT_FAILED,
    "ship": S.SHIPPED,
    "deliver": S.DELIVERED,
    "cancel": S.CANCELLED,
    "return": S.RETURN_REQUESTED,
    "receive": S.RETURNED,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(STEP_TARGET))
def test_every_transition_is_allowed_exactly_when_the_table_says(status: OrderStatus, step: str) -> None:
    order, products = at(status)
    if step in ("pay", "fail") and status in SURPLUS_CAPTURE:
        # A payment report for an order that no longer waits for one is not a step (see below).
        after, _ = do_step(step, order, products)
        assert after.status is status
    elif STEP_TARGET[step] in TRANSITIONS[status]:
        after, _ = do_step(step, order, products)
        assert after.status is STEP_TARGET[step]
    else:
        with pytest.raises(IllegalTransitionError) as caught:
            do_step(step, order, products)
        assert caught.value.status == 409
        assert caught.value.extra["current_status"] == status.value
        assert caught.value.extra["allowed_next"] == sorted(TRANSITIONS[status])
        assert status.value in caught.value.detail


def test_final_statuses_allow_nothing() -> None:
    assert TRANSITIONS[S.CANCELLED] == frozenset() and TRANSITIONS[S.RETURNED] == frozenset()
    with pytest.raises(IllegalTransitionError) as caught:
        do_step("cancel", *at(S.CANCELLED))
    assert "none (final status)" in caught.value.detail


def test_prepaid_waits_for_payment_and_capture_confirms() -> None:
    order, _ = placed(PaymentMethod.CARD)
    assert order.status is S.PENDING_PAYMENT
    events = life.decide_payment(
        order, captured=True, amount_paise=order.total_paise, provider_reference="pay_1", reason=None, now=NOW
    )
    assert [type(e) for e in events] == [PaymentCaptured, OrderConfirmed]
    assert fold(order, events).paid_paise == order.total_paise


def test_capture_must_match_the_total() -> None:
    order, _ = placed()
    with pytest.raises(PaymentMismatchError) as caught:
        life.decide_payment(
            order, captured=True, amount_paise=order.total_paise - 1, provider_reference="x", reason=None, now=NOW
        )
    assert caught.value.extra["expected_paise"] == order.total_paise


def test_failed_payment_records_reason_and_allows_a_retry() -> None:
    order, _ = at(S.PAYMENT_FAILED)
    again = life.decide_payment(order, captured=False, amount_paise=1, provider_reference="r2", reason=None, now=NOW)
    assert isinstance(again[0], PaymentFailed) and again[0].reason == "declined"
    assert pay(order).status is S.CONFIRMED


def test_cod_is_confirmed_at_once_and_takes_no_online_payment() -> None:
    order, _ = placed(PaymentMethod.COD)
    assert order.status is S.CONFIRMED
    with pytest.raises(PaymentMismatchError):
        life.decide_payment(order, captured=True, amount_paise=1, provider_reference="x", reason=None, now=NOW)


def test_cod_is_paid_at_delivery_so_a_return_refunds_it() -> None:
    order, products = placed(PaymentMethod.COD)
    for step in ("ship", "deliver", "return"):
        order, products = do_step(step, order, products)
    assert order.paid_paise == order.total_paise
    events, _ = life.decide_receive_return(order, products=products, now=NOW + timedelta(days=2))
    assert isinstance(events[0], ReturnReceived) and events[0].refund_due_paise == order.total_paise


def test_cancellation_releases_stock_and_refunds_a_captured_payment() -> None:
    order, products = at(S.CONFIRMED)
    events, moves = life.decide_cancel(order, reason="late", products=products, now=NOW)
    assert isinstance(events[0], OrderCancelled) and events[0].refund_due_paise == order.total_paise
    assert moves == {"P": [StockReleased(sku="P", order_id="ord-1", quantity=2)]}
    assert fold_product(products["P"], moves["P"]).available == 5


def test_cancelling_an_unpaid_order_owes_nothing() -> None:
    order, products = placed()
    events, _ = life.decide_cancel(order, reason="no payment", products=products, now=NOW)
    assert isinstance(events[0], OrderCancelled) and events[0].refund_due_paise == 0


def test_shipping_takes_the_reserved_units_out_of_the_warehouse() -> None:
    order, products = at(S.CONFIRMED)
    events, moves = life.decide_ship(order, courier="BlueDart", tracking_id="AWB9", products=products, now=NOW)
    assert isinstance(events[0], OrderShipped) and moves["P"] == [StockShipped(sku="P", order_id="ord-1", quantity=2)]
    after = fold_product(products["P"], moves["P"])
    assert (after.on_hand, after.reserved, after.available) == (3, 0, 3)


def test_return_window_is_fixed_at_delivery() -> None:
    order, _ = at(S.SHIPPED)
    delivered = life.decide_deliver(order, now=NOW, return_window=timedelta(days=3))
    assert isinstance(delivered[0], OrderDelivered) and delivered[0].returnable_until == NOW + timedelta(days=3)
    order = fold(order, delivered)
    ok = life.decide_request_return(order, reason="broken", now=NOW + timedelta(days=3))
    assert isinstance(ok[0], ReturnRequested)
    with pytest.raises(ReturnWindowClosedError) as caught:
        life.decide_request_return(order, reason="broken", now=NOW + timedelta(days=3, seconds=1))
    assert caught.value.status == 409 and "returnable_until" in caught.value.extra


def test_receiving_a_return_restocks() -> None:
    order, products = at(S.RETURN_REQUESTED)
    _, moves = life.decide_receive_return(order, products=products, now=NOW)
    assert moves["P"] == [StockReturned(sku="P", order_id="ord-1", quantity=2)]
    assert fold_product(products["P"], moves["P"]).on_hand == 5


def test_steps_on_a_missing_order_are_not_found() -> None:
    with pytest.raises(OrderNotFoundError) as caught:
        life.decide_deliver(order_domain.Order(order_id="ord-x"), now=NOW)
    assert caught.value.status == 404 and caught.value.extra["order_id"] == "ord-x"


def test_restock_and_price_change() -> None:
    state = product(price=100, stock=1)
    restocked = product_domain.decide_restock(state, quantity=4)
    assert restocked == [StockRestocked(sku="P", quantity=4)]
    assert fold_product(state, restocked).available == 5
    changed = product_domain.decide_change_price(state, price_paise=150)
    assert changed == [PriceChanged(sku="P", old_price_paise=100, new_price_paise=150)]
    assert fold_product(state, changed).price_paise == 150
    with pytest.raises(PriceUnchangedError):
        product_domain.decide_change_price(state, price_paise=100)


def test_stock_moves_on_a_missing_product_are_not_found() -> None:
    missing = product_domain.Product(sku="Q")
    for decide in (
        lambda: product_domain.decide_restock(missing, quantity=1),
        lambda: product_domain.decide_change_price(missing, price_paise=1),
        lambda: product_domain.decide_release(missing, order_id="o", quantity=1),
    ):
        with pytest.raises(ProductNotFoundError):
            decide()


def test_stock_counts_can_never_go_negative() -> None:
    state = product(stock=2)
    with pytest.raises(StockInvariantError):
        product_domain.decide_reserve(state, order_id="o", quantity=3)
    with pytest.raises(StockInvariantError):
        product_domain.decide_release(state, order_id="o", quantity=1)
    with pytest.raises(StockInvariantError):
        product_domain.decide_ship(state, order_id="o", quantity=1)


def test_a_new_price_applies_to_new_orders_only() -> None:
    order, products = placed()
    products["P"] = fold_product(products["P"], product_domain.decide_change_price(products["P"], price_paise=20_000))
    events, _ = order_domain.decide_place(
        order_domain.Order(),
        order_id="ord-2",
        customer_id="c-1",
        lines=[order_domain.RequestedLine("P", 1)],
        products=products,
        shipping_address=ADDRESS,
        payment_method=PaymentMethod.UPI,
        now=NOW,
    )
    assert events[0].items[0].unit_price_paise == 20_000  # type: ignore[attr-defined]
    assert order.total_paise == 2 * 10_000 * 118 // 100


def test_prices_come_from_the_catalogue_with_gst_per_category() -> None:
    products = {"P": product("P", price=100_00), "B": product("B", price=250_00, category="books")}
    order_events, _ = place(products, [("P", 2), ("B", 1)])
    placed = order_events[0]
    assert isinstance(placed, OrderPlaced)
    assert placed.subtotal_paise == 2 * 100_00 + 250_00
    assert placed.gst_paise == 36_00  # 18% on electronics, 0% on books
    assert placed.total_paise == placed.subtotal_paise + placed.gst_paise
    assert [line.gst_rate_percent for line in placed.items] == [18, 0]


def test_gst_rounds_half_up_in_integer_paise() -> None:
    assert gst_paise(1, 18) == 0
    assert gst_paise(3, 18) == 1  # 0.54 paise -> 1
    assert gst_paise(1499900, 18) == 269982


def test_placing_reserves_stock_for_every_sku_once() -> None:
    products = {"P": product("P", stock=5)}
    _, reservations = place(products, [("P", 2), ("P", 1)])
    assert reservations == {"P": [StockReserved(sku="P", order_id="ord-1", quantity=3)]}


def test_out_of_stock_names_the_sku_and_what_is_available() -> None:
    products = {"P": product("P", stock=5), "Q": product("Q", stock=1)}
    with pytest.raises(OutOfStockError) as caught:
        place(products, [("P", 1), ("Q", 2)])
    assert caught.value.extra["sku"] == "Q"
    assert caught.value.extra["available"] == 1
    assert caught.value.extra["requested"] == 2


def test_unknown_product_is_not_found() -> None:
    with pytest.raises(ProductNotFoundError):
        place({"P": product_domain.Product(sku="P")}, [("P", 1)])


def test_cod_is_confirmed_at_once_prepaid_waits_for_payment() -> None:
    products = {"P": product("P")}
    cod, _ = place(products, [("P", 1)], PaymentMethod.COD)
    upi, _ = place(products, [("P", 1)], PaymentMethod.UPI)
    assert [type(e) for e in cod] == [OrderPlaced, OrderConfirmed]
    assert [type(e) for e in upi] == [OrderPlaced]
    state = order_domain.Order()
    for event in cod:
        state = order_domain.evolve(state, event)
    assert state.status is order_domain.OrderStatus.CONFIRMED


def test_reservations_reduce_available_not_on_hand() -> None:
    state = product("P", stock=5)
    state = product_domain.evolve(state, StockReserved(sku="P", order_id="o", quantity=2))
    assert (state.on_hand, state.reserved, state.available) == (5, 2, 3)


def test_product_created_event_is_immutable() -> None:
    event = ProductCreated(sku="P", name="n", category="c", price_paise=1, stock=0)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen models
        event.sku = "Q"  # type: ignore[misc]
