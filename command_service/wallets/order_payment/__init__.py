"""Orders paid from the wallet (a process manager of the wallets context): an order placed with
payment method WALLET is paid by a hold on the customer's wallet, reported to the order, and
captured once the order is confirmed; a refused hold fails the payment, a cancelled order voids
the hold, or is refunded to the wallet once the hold was captured — each step exactly once,
however often the manager restarts or sees an event again.

The flow and its state machine are in `flow.py`; how it reaches commerce without importing it
(commerce's `RecordPayment`, sent by name) in `named.py`.
"""

from command_service.sagas.spec import ProcessManagerSpec, Resources
from command_service.wallets.order_payment.flow import OrderPayment, Step, next_step
from command_service.wallets.order_payment.manager import OrderPaymentManager
from command_service.wallets.order_payment.named import NamedCommands, UnknownCommandError
from command_service.wallets.order_payment.postgres import PostgresOrderPaymentStore
from command_service.wallets.order_payment.steps import RECORD_PAYMENT
from command_service.wallets.order_payment.store import InMemoryOrderPaymentStore, OrderPaymentStore
from shared.commerce.streams import ORDER
from shared.wallets.streams import WALLET


async def build(resources: Resources) -> OrderPaymentManager:
    payments = PostgresOrderPaymentStore(resources.pool)
    await payments.create_schema()
    commerce = NamedCommands(resources.dispatch.command_types, resources.dispatch, needed=[RECORD_PAYMENT])
    return OrderPaymentManager(
        payments,
        resources.dispatch,
        commerce,
        resources.store,
        resources.clock,
        merchant_id=resources.settings.wallet_order_merchant_id,
        hold_timeout=resources.settings.hold_timeout,
    )


SPEC = ProcessManagerSpec("wallet_order_payment", (ORDER.name, WALLET.name), build)

__all__ = [
    "SPEC",
    "InMemoryOrderPaymentStore",
    "NamedCommands",
    "OrderPayment",
    "OrderPaymentManager",
    "OrderPaymentStore",
    "PostgresOrderPaymentStore",
    "Step",
    "UnknownCommandError",
    "next_step",
]
