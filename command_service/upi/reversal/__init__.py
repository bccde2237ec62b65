"""The reversal process manager of the upi context: the simulated switch's answer about each
payment leaving Bahi (`switch`), each deemed payment reversed to its payer by T+1 exactly once
(`manager`), its state in its own PostgreSQL table (`watches`)."""

from command_service.sagas.spec import ProcessManagerSpec, Resources
from command_service.upi.reversal.manager import ACTOR, REVERSAL_REASON, PaymentReversal, idempotency_key
from command_service.upi.reversal.switch import answer
from command_service.upi.reversal.watches import (
    InMemoryPaymentWatchStore,
    PaymentWatch,
    PaymentWatchStore,
    PostgresPaymentWatchStore,
    Stage,
)
from shared.upi.streams import VPA


async def build(resources: Resources) -> PaymentReversal:
    watches = PostgresPaymentWatchStore(resources.pool)
    await watches.create_schema()
    settings = resources.settings
    return PaymentReversal(
        watches,
        resources.dispatch,
        resources.clock,
        reversal_delay_seconds=settings.upi_reversal_delay_seconds,
        pace_seconds=settings.upi_switch_pace_seconds,
    )


SPEC = ProcessManagerSpec("upi_payment_reversal", (VPA.name,), build)

__all__ = [
    "ACTOR",
    "REVERSAL_REASON",
    "SPEC",
    "InMemoryPaymentWatchStore",
    "PaymentReversal",
    "PaymentWatch",
    "PaymentWatchStore",
    "PostgresPaymentWatchStore",
    "Stage",
    "answer",
    "idempotency_key",
]
