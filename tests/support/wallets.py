"""Running the wallets context in tests: a registry of commerce and wallets built explicitly (the
context is not in `shared.contexts.CONTEXTS` yet), the service's own composition root
(`bootstrap.build_dispatcher`, the `Services` the API is given) over an in-memory store, a clock the test moves,
and small builders for the pure domain's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import uuid4

import httpx

from command_service import commerce, wallets
from command_service.api import build_app
from command_service.bootstrap import ReadyCheck, Services, build_dispatcher
from command_service.event_store import EventStore
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import Command, CommandRegistry, Dispatcher, Envelope, Outcome
from command_service.settings import Settings
from command_service.wallets import commands as c
from command_service.wallets import domain
from command_service.wallets.settings import WalletSettings
from shared.events import DomainEvent, parse_event
from shared.wallets.values import KycLevel, TopupSource
from tests.support import auth

T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
"""A Monday morning in IST, early in a month and late in a financial year."""


def rupees(amount: int | float) -> int:
    """Paise of a rupee amount (tests read better in rupees: ₹10,000 is `rupees(10_000)`)."""
    return round(amount * 100)


@cache
def registry() -> CommandRegistry:
    """Commerce and wallets; building it adds the wallet events to the process-wide registry."""
    return CommandRegistry([commerce.MANIFEST, wallets.MANIFEST])


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class WalletWorld:
    """A command service with commerce and wallets over one store, driven command by command."""

    store: EventStore = field(default_factory=InMemoryEventStore)
    clock: Clock = field(default_factory=Clock)
    max_attempts: int = 5
    settings: dict[str, Any] = field(default_factory=dict)
    _dispatch: Dispatcher | None = None

    @property
    def dispatch(self) -> Dispatcher:
        if self._dispatch is None:
            context = {**registry().settings(), "wallets": WalletSettings(**self.settings)}
            service = Settings(max_conflict_retries=self.max_attempts)
            self._dispatch = build_dispatcher(registry(), self.store, self.clock, service, context)
        return self._dispatch

    async def run(self, command: Command, wallet_id: str | None = None, **envelope: Any) -> Outcome:
        return await self.dispatch(Envelope(command, target_id=wallet_id, **envelope))

    async def open(self, customer_id: str = "cust-1", kyc: KycLevel = KycLevel.MINIMUM) -> str:
        outcome = await self.run(c.OpenWallet(customer_id=customer_id, mobile="9876543210", kyc=kyc), new_id())
        return str(outcome.response["wallet_id"])

    async def top_up(self, wallet_id: str, paise: int, topup_id: str | None = None, **body: Any) -> Outcome:
        fields = {"source": TopupSource.UPI, "reference": "upi-ref", **body}
        return await self.run(c.TopUpWallet(topup_id=topup_id or new_id("t-"), amount_paise=paise, **fields), wallet_id)

    async def pay(self, wallet_id: str, paise: int, payment_id: str | None = None, **body: Any) -> Outcome:
        fields = {"merchant_id": "merch-1", **body}
        command = c.PayFromWallet(payment_id=payment_id or new_id("p-"), amount_paise=paise, **fields)
        return await self.run(command, wallet_id)

    async def events(self, stream_id: str) -> list[DomainEvent]:
        return [parse_event(e.event_type, e.schema_version, e.data) for e in await self.store.read_stream(stream_id)]

    async def event_count(self) -> int:
        return len(await self.store.read_all(0, 100_000))


def new_id(prefix: str = "wal-") -> str:
    return f"{prefix}{uuid4().hex}"


@asynccontextmanager
async def api(world: WalletWorld | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The command API of commerce and wallets over HTTP (ASGI, no server), on `world`'s store and clock."""
    world = world or WalletWorld()
    services = Services(world.store, world.dispatch, Settings(), ReadyCheck(None))
    app = build_app(lambda: services, registry(), auth=auth.authenticator())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        yield client


def opened(kyc: KycLevel = KycLevel.MINIMUM, wallet_id: str = "wal-" + "0" * 32, at: datetime = T0) -> domain.Wallet:
    """A freshly opened wallet's state, for the pure domain's tests."""
    [event], _ = domain.decide_open(
        domain.Wallet(wallet_id=wallet_id),
        domain.WalletOwner(),
        wallet_id=wallet_id,
        customer_id="cust-" + wallet_id[-4:],
        mobile="9876543210",
        kyc_level=kyc,
        now=at,
    )
    return domain.evolve(domain.Wallet(), event)
