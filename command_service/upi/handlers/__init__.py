"""The upi context's command handlers, one per command type."""

from command_service.handling import Command, Handler
from command_service.upi.commands import AcceptCollect, DeclineCollect, PayByUpi, RegisterVpa, RequestCollect
from command_service.upi.handlers import collects, payments, vpas

HANDLERS: dict[type[Command], Handler] = {
    RegisterVpa: vpas.register_vpa,
    PayByUpi: payments.pay,
    RequestCollect: collects.request_collect,
    AcceptCollect: collects.accept_collect,
    DeclineCollect: collects.decline_collect,
}

__all__ = ["HANDLERS"]
