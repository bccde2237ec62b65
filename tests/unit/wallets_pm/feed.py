"""Driving the wallets context's process managers in unit tests: a `Feed` that plays the store's
events to them as Kafka would (in commit order, holding back what a test wants to arrive later,
and replaying everything for a redelivery), and builders of the managers over a `WalletWorld`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from command_service.handling import Clock
from command_service.sagas import ProcessManager
from command_service.wallets.hold_expiry import HoldExpiry, InMemoryHoldWatchStore
from command_service.wallets.order_payment import InMemoryOrderPaymentStore, NamedCommands, OrderPaymentManager
from shared.envelope import EventEnvelope
from tests.support.wallets import WalletWorld, registry

TIMEOUT = timedelta(seconds=600)
MERCHANT = "bahi-commerce"
TOPICS = ("order", "wallet")


def hold_expiry(
    world: WalletWorld, watches: InMemoryHoldWatchStore | None = None, clock: Clock | None = None
) -> HoldExpiry:
    store = watches if watches is not None else InMemoryHoldWatchStore()
    return HoldExpiry(store, world.dispatch, world.store, clock or world.clock, TIMEOUT)


def order_payment(world: WalletWorld, payments: InMemoryOrderPaymentStore | None = None) -> OrderPaymentManager:
    commerce = NamedCommands(registry().commands, world.dispatch, needed=["RecordPayment"])
    return OrderPaymentManager(
        payments if payments is not None else InMemoryOrderPaymentStore(),
        world.dispatch,
        commerce,
        world.store,
        world.clock,
        merchant_id=MERCHANT,
        hold_timeout=TIMEOUT,
    )


@dataclass
class Feed:
    """The order and wallet topics as one process manager's consumer sees them."""

    world: WalletWorld
    managers: list[ProcessManager]
    delivered: set[int] = field(default_factory=set)

    async def pump(self, hold_back: Callable[[EventEnvelope], bool] = lambda env: False) -> int:
        """Deliver every event not delivered yet (and those the managers' commands append), in
        order, except those `hold_back` keeps for later; returns how many were delivered."""
        count = 0
        while True:
            fresh = [
                env
                for env in await self.world.store.read_all(0, 100_000)
                if env.position not in self.delivered and env.stream_type in TOPICS and not hold_back(env)
            ]
            if not fresh:
                return count
            for env in fresh:
                self.delivered.add(env.position)
                for manager in self.managers:
                    await manager.handle(env)
                count += 1

    async def redeliver(self, managers: list[ProcessManager] | None = None) -> int:
        """Everything again, from the first event (a restart before any offset was committed)."""
        self.delivered.clear()
        if managers is not None:
            self.managers = managers
        return await self.pump()
