"""Running the banking context in tests: its registry, the service's own composition root
(`bootstrap.build_dispatcher`, the `Services` the API is given) over an in-memory store, a clock
the test moves (or the wall clock, for tests of recorded time), and small builders for the pure
domain's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import uuid4

import httpx

from command_service import banking
from command_service.api import build_app
from command_service.banking import commands as c
from command_service.banking import domain
from command_service.banking.settings import BankingSettings
from command_service.bootstrap import ReadyCheck, Services, build_dispatcher
from command_service.event_store import EventStore
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import Command, CommandRegistry, Dispatcher, Envelope, Outcome
from command_service.settings import Settings
from shared.banking.values import AccountType, DepositMode
from shared.events import DomainEvent, parse_event
from tests.support import auth

T0 = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
"""A Monday, 10:30 IST, early in November (the financial year FY2026-27)."""
IFSC = "BAHI0000001"
"""This bank's branch of the tests."""
OTHER_IFSC = "HDFC0001234"


def rupees(amount: int | float) -> int:
    """Paise of a rupee amount (₹2,00,000 is `rupees(2_00_000)`)."""
    return round(amount * 100)


@cache
def registry() -> CommandRegistry:
    """The banking context alone; building it adds its events to the process-wide registry."""
    return CommandRegistry([banking.MANIFEST])


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class BankWorld:
    """A command service with the banking context over one store, driven command by command."""

    store: EventStore = field(default_factory=InMemoryEventStore)
    clock: Callable[[], datetime] = field(default_factory=Clock)
    settings: dict[str, Any] = field(default_factory=dict)
    _dispatch: Dispatcher | None = None

    @property
    def dispatch(self) -> Dispatcher:
        if self._dispatch is None:
            context = {"banking": BankingSettings(**self.settings)}
            self._dispatch = build_dispatcher(registry(), self.store, self.clock, Settings(), context)
        return self._dispatch

    async def run(self, command: Command, account_id: str | None = None, **envelope: Any) -> Outcome:
        return await self.dispatch(Envelope(command, target_id=account_id, **envelope))

    async def open(self, kind: AccountType = AccountType.SAVINGS, customer_id: str = "cust-1") -> str:
        command = c.OpenAccount(customer_id=customer_id, holder_name="Asha Rao", type=kind, branch_ifsc=IFSC)
        outcome = await self.run(command, new_id())
        return str(outcome.response["account_id"])

    async def deposit(self, account_id: str, paise: int, txn_id: str | None = None, **body: Any) -> Outcome:
        fields = {"mode": DepositMode.CASH, "narration": "cash at the counter", **body}
        return await self.run(c.Deposit(txn_id=txn_id or new_id("d-"), amount_paise=paise, **fields), account_id)

    async def withdraw(self, account_id: str, paise: int, txn_id: str | None = None) -> Outcome:
        command = c.Withdraw(txn_id=txn_id or new_id("w-"), amount_paise=paise, mode="CASH", narration="at the ATM")
        return await self.run(command, account_id)

    async def transfer(
        self, account_id: str, paise: int, rail: str = "NEFT", transfer_id: str | None = None, **to: Any
    ) -> Outcome:
        """To `to` (`to_account_number` and `to_ifsc`, or `to_account_id`), by default another bank's account."""
        target = to or {"to_account_number": "50100012345678", "to_ifsc": OTHER_IFSC}
        command = c.Transfer(transfer_id=transfer_id or new_id("tr-"), rail=rail, amount_paise=paise, **target)
        return await self.run(command, account_id)

    async def events(self, stream_id: str) -> list[DomainEvent]:
        return [parse_event(e.event_type, e.schema_version, e.data) for e in await self.store.read_stream(stream_id)]

    async def event_count(self) -> int:
        return len(await self.store.read_all(0, 100_000))


def new_id(prefix: str = "acc-") -> str:
    return f"{prefix}{uuid4().hex}"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def api(world: BankWorld | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The banking command API over HTTP (ASGI, no server), on `world`'s store and clock, with
    the staff token of the test suite unless a request names its own."""
    world = world or BankWorld()
    services = Services(world.store, world.dispatch, Settings(), ReadyCheck(None))
    app = build_app(lambda: services, registry(), auth=auth.authenticator())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        yield client


def opened(
    kind: AccountType = AccountType.SAVINGS, account_id: str = "acc-" + "0" * 32, at: datetime = T0
) -> domain.Account:
    """A freshly opened account's state, for the pure domain's tests."""
    [event], _ = domain.decide_open(
        account_id=account_id,
        account_number=domain.candidate(account_id, 0),
        customer_id="cust-" + account_id[-4:],
        holder_name="Asha Rao",
        account_type=kind,
        branch_ifsc=IFSC,
        now=at,
    )
    return domain.evolve(domain.Account(), event)
