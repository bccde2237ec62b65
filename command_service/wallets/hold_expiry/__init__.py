"""The hold-expiry process manager of the wallets context: a hold that is neither captured nor
voided by its `expires_at` is released (`ExpireHold`) exactly once, however often the manager
restarts or sees an event again. Deadlines come from the holds themselves (`WalletHoldPlaced`,
placed with `BAHI_HOLD_TIMEOUT_SECONDS`)."""

from command_service.sagas.spec import ProcessManagerSpec, Resources
from command_service.wallets.hold_expiry.manager import HoldExpiry, HoldWatch, HoldWatchStore, WatchState, react
from command_service.wallets.hold_expiry.watches import InMemoryHoldWatchStore, PostgresHoldWatchStore
from shared.wallets.streams import WALLET


async def build(resources: Resources) -> HoldExpiry:
    watches = PostgresHoldWatchStore(resources.pool)
    await watches.create_schema()
    return HoldExpiry(watches, resources.dispatch, resources.store, resources.clock, resources.settings.hold_timeout)


SPEC = ProcessManagerSpec("wallet_hold_expiry", (WALLET.name,), build)

__all__ = [
    "SPEC",
    "HoldExpiry",
    "HoldWatch",
    "HoldWatchStore",
    "InMemoryHoldWatchStore",
    "PostgresHoldWatchStore",
    "WatchState",
    "react",
]
