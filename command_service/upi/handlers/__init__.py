"""The upi context's command handlers, one per command type."""

from command_service.handling import Command, Handler
from command_service.upi.commands import (
    AcceptCollect,
    DeclineCollect,
    PayByUpi,
    RegisterVpa,
    RequestCollect,
    ReverseUpiPayment,
    SettleUpiPayment,
)
from command_service.upi.handlers import collects, outbound, payments, vpas

HANDLERS: dict[type[Command], Handler] = {
    RegisterVpa: vpas.register_vpa,
    PayByUpi: payments.pay,
    RequestCollect: collects.request_collect,
    AcceptCollect: collects.accept_collect,
    DeclineCollect: collects.decline_collect,
    SettleUpiPayment: outbound.settle_payment,
    ReverseUpiPayment: outbound.reverse_payment,
}

__all__ = ["HANDLERS"]
