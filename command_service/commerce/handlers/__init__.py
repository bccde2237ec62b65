"""The commerce context's command handlers, one per command type."""

from command_service.commerce.commands import (
    CancelOrder,
    ChangePrice,
    CreateProduct,
    DeliverOrder,
    PlaceOrder,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
    RestockProduct,
    ShipOrder,
)
from command_service.commerce.handlers import orders, products
from command_service.handling import Command, Handler

HANDLERS: dict[type[Command], Handler] = {
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

__all__ = ["HANDLERS"]
