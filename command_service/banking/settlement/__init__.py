"""The settlement process manager of the banking context: the simulated clearing of external
transfers (`clearing`), each settled or returned exactly once (`manager`), its state in its own
PostgreSQL table (`watches`)."""

from collections.abc import Callable
from datetime import datetime

from command_service.banking.settlement.clearing import clear, due, utr
from command_service.banking.settlement.manager import ACTOR, TransferSettlement, idempotency_key
from command_service.banking.settlement.watches import (
    InMemoryTransferWatchStore,
    PostgresTransferWatchStore,
    TransferWatch,
    TransferWatchStore,
    WatchState,
)
from command_service.sagas.spec import ProcessManagerSpec, Resources
from shared.banking.policy import BANK_POLICY, NEFT_BATCH
from shared.banking.streams import ACCOUNT


def batch_seconds(override: float) -> Callable[[datetime], float]:
    """The NEFT batch interval at a moment: the policy row's, unless a setting shortens it."""
    return lambda at: override or float(BANK_POLICY.value(NEFT_BATCH, at))


async def build(resources: Resources) -> TransferSettlement:
    watches = PostgresTransferWatchStore(resources.pool)
    await watches.create_schema()
    settings = resources.settings
    return TransferSettlement(
        watches,
        resources.dispatch,
        resources.clock,
        batch_seconds=batch_seconds(settings.neft_batch_seconds),
        pace_seconds=settings.settlement_pace_seconds,
    )


SPEC = ProcessManagerSpec("bank_transfer_settlement", (ACCOUNT.name,), build)

__all__ = [
    "ACTOR",
    "SPEC",
    "InMemoryTransferWatchStore",
    "PostgresTransferWatchStore",
    "TransferSettlement",
    "TransferWatch",
    "TransferWatchStore",
    "WatchState",
    "batch_seconds",
    "clear",
    "due",
    "idempotency_key",
    "utr",
]
