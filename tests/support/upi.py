"""Running the upi context in tests: banking, wallets and upi together over one store (a UPI
payment appends to the streams of all three), the service's own composition root, a clock the
test moves, and builders: a funded account or wallet, a VPA linked to it, a payment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import uuid4

import httpx

from command_service import banking, commerce, upi, wallets
from command_service.api import build_app
from command_service.banking import commands as bank
from command_service.bootstrap import ReadyCheck, Services, build_dispatcher
from command_service.event_store import EventStore
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import Command, CommandRegistry, Dispatcher, Envelope, Outcome
from command_service.settings import Settings
from command_service.upi import commands as c
from command_service.wallets import commands as wal
from shared.banking.values import AccountType, DepositMode
from shared.events import DomainEvent, parse_event
from shared.wallets.values import KycLevel, TopupSource
from tests.support import auth

T0 = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
"""A Monday, 10:30 IST."""
IFSC = "BAHI0000001"


def rupees(amount: int | float) -> int:
    return round(amount * 100)


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid4().hex}"


@cache
def registry() -> CommandRegistry:
    """Commerce, wallets, banking and upi: the ledgers upi asks for are banking's and wallets'."""
    return CommandRegistry([commerce.MANIFEST, wallets.MANIFEST, banking.MANIFEST, upi.MANIFEST])


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class UpiWorld:
    store: EventStore = field(default_factory=InMemoryEventStore)
    clock: Clock = field(default_factory=Clock)
    max_attempts: int = 5
    _dispatch: Dispatcher | None = None

    @property
    def dispatch(self) -> Dispatcher:
        if self._dispatch is None:
            service = Settings(max_conflict_retries=self.max_attempts)
            self._dispatch = build_dispatcher(registry(), self.store, self.clock, service, registry().settings())
        return self._dispatch

    async def run(self, command: Command, target_id: str | None = None, **envelope: Any) -> Outcome:
        return await self.dispatch(Envelope(command, target_id=target_id, **envelope))

    async def account(
        self, paise: int = 0, customer_id: str = "cust-1", kind: AccountType = AccountType.SAVINGS
    ) -> str:
        account_id = new_id("acc-")
        opening = bank.OpenAccount(customer_id=customer_id, holder_name="Asha Rao", type=kind, branch_ifsc=IFSC)
        await self.run(opening, account_id)
        if paise:
            deposit = bank.Deposit(txn_id=new_id("d-"), amount_paise=paise, mode=DepositMode.CASH, narration="cash")
            await self.run(deposit, account_id)
        return account_id

    async def wallet(self, paise: int = 0, customer_id: str = "cust-2", kyc: KycLevel = KycLevel.FULL) -> str:
        wallet_id = new_id("wal-")
        await self.run(wal.OpenWallet(customer_id=customer_id, mobile="9876543210", kyc=kyc), wallet_id)
        if paise:
            top_up = wal.TopUpWallet(topup_id=new_id("t-"), amount_paise=paise, source=TopupSource.UPI, reference="r")
            await self.run(top_up, wallet_id)
        return wallet_id

    async def vpa(self, vpa: str, *, kind: str = "PERSON", **link: str) -> Outcome:
        """`link`: `account_id=` or `wallet_id=`."""
        return await self.run(c.RegisterVpa(vpa=vpa, kind=kind, **link), vpa)

    async def pay(self, payer: str, payee: str, paise: int, payment_id: str | None = None, **body: Any) -> Outcome:
        command = c.PayByUpi(
            payment_id=payment_id or new_id("up-"), payer_vpa=payer, payee_vpa=payee, amount_paise=paise, **body
        )
        return await self.run(command, payer)

    async def events(self, stream_id: str) -> list[DomainEvent]:
        return [parse_event(e.event_type, e.schema_version, e.data) for e in await self.store.read_stream(stream_id)]

    async def event_count(self) -> int:
        return len(await self.store.read_all(0, 1_000_000))

    async def balance(self, stream_id: str) -> int:
        """The balance after the stream's last movement (an account's or a wallet's)."""
        balances = [getattr(e, "balance_after_paise", None) for e in await self.events(stream_id)]
        known = [b for b in balances if isinstance(b, int)]
        return known[-1] if known else 0


@asynccontextmanager
async def api(world: UpiWorld | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The command API of the four contexts over HTTP (ASGI, no server), on `world`'s store and clock."""
    world = world or UpiWorld()
    services = Services(world.store, world.dispatch, Settings(), ReadyCheck(None))
    app = build_app(lambda: services, registry(), auth=auth.authenticator())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        yield client
