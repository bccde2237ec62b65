"""Every command and its handler, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from command_service.commands import (
    CancelOrder,
    ChangePrice,
    Command,
    CreateProduct,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    RestockProduct,
    ShipOrder,
)
from command_service.handlers import orders, products
from command_service.handlers.base import Decision

Handler = Callable[..., Awaitable[Decision]]

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    CreateProduct: products.create_product,
    RestockProduct: products.restock_product,
    ChangePrice: products.change_price,
    PlaceOrder: orders.place_order,
    RecordPayment: orders.record_payment,
    ShipOrder: orders.ship_order,
    DeliverOrder: orders.deliver_order,
    CancelOrder: orders.cancel_order,
    RequestReturn: orders.request_return,
    ReceiveReturn: orders.receive_return,
}
