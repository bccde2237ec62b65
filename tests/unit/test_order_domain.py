"""The Order and Product aggregates: pure decide/evolve, no I/O."""

from datetime import UTC, datetime

import pytest

from command_service.commerce.domain import OutOfStockError, ProductNotFoundError
from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import product as product_domain
from command_service.commerce.domain.pricing import gst_paise
from shared.commerce.events import Address, OrderConfirmed, OrderPlaced, PaymentMethod, ProductCreated, StockReserved

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ADDRESS = Address(name="Asha", line1="12 MG Road", city="Bengaluru", state="KA", pincode="560001")


def product(sku: str, *, price: int = 10_000, stock: int = 5, category: str = "electronics") -> product_domain.Product:
    state = product_domain.Product(sku=sku)
    for event in product_domain.decide_create(
        state, sku=sku, name=f"{sku} name", category=category, price_paise=price, stock=stock
    ):
        state = product_domain.evolve(state, event)
    return state


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
