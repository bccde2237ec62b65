"""The payment saga (a process manager of the commerce context): a prepaid order whose payment
fails, or does not arrive within `BAHI_PAYMENT_TIMEOUT_SECONDS`, is cancelled (its stock
released) exactly once, however often the saga restarts or sees an event again."""

from datetime import timedelta

from command_service.commerce.payment_saga.saga import PaymentSaga, Watch, WatchState, WatchStore, react
from command_service.commerce.payment_saga.watches import InMemoryWatchStore, PostgresWatchStore
from command_service.sagas.spec import ProcessManagerSpec, Resources
from shared.commerce.streams import ORDER


async def build(resources: Resources) -> PaymentSaga:
    watches = PostgresWatchStore(resources.pool)
    await watches.create_schema()
    timeout = timedelta(seconds=resources.settings.payment_timeout_seconds)
    return PaymentSaga(watches, resources.dispatch, resources.clock, timeout)


SPEC = ProcessManagerSpec("payment", (ORDER.name,), build)

__all__ = [
    "SPEC",
    "InMemoryWatchStore",
    "PaymentSaga",
    "PostgresWatchStore",
    "Watch",
    "WatchState",
    "WatchStore",
    "react",
]
