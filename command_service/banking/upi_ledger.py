"""The bank account as a UPI ledger (`shared.upi.ledger.UpiLedger`), provided to the command
service's handlers as `upi_account_ledger`: the upi context's payment handler asks it for the
account's leg of a payment and appends it with the other side's in one transaction. It decides
with the account's own domain and never appends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from command_service.banking import domain
from command_service.banking.handlers.streams import load_account
from shared.banking.streams import ACCOUNT
from shared.banking.values import AccountStatus
from shared.events import DomainEvent
from shared.policy import PolicyTable
from shared.upi.ledger import Holder, Leg, UpiMovement, UpiRefund, UpiSettlement
from shared.upi.values import LinkType


class AccountUpiLedger:
    link_type = LinkType.ACCOUNT

    def __init__(self, policy: PolicyTable) -> None:
        self._policy = policy

    async def holder(self, load: Any, link_id: str) -> Holder | None:
        state, _ = await load_account(load, link_id)
        if state.status is None:
            return None
        return Holder(link_id, state.customer_id, state.status is AccountStatus.ACTIVE)

    async def debit(self, load: Any, link_id: str, movement: UpiMovement, now: datetime) -> Leg:
        state, version = await load_account(load, link_id)
        return _leg(link_id, version, domain.decide_upi_debit(state, movement, now=now, policy=self._policy))

    async def credit(self, load: Any, link_id: str, movement: UpiMovement, now: datetime) -> Leg:
        state, version = await load_account(load, link_id)
        return _leg(link_id, version, domain.decide_upi_credit(state, movement, now=now, policy=self._policy))

    async def refund(self, load: Any, link_id: str, refund: UpiRefund, now: datetime) -> Leg:
        state, version = await load_account(load, link_id)
        return _leg(link_id, version, domain.decide_upi_refund(state, refund, now=now))

    async def settle(self, load: Any, link_id: str, settled: UpiSettlement, now: datetime) -> Leg:
        state, version = await load_account(load, link_id)
        return _leg(link_id, version, domain.decide_upi_settle(state, settled, now=now))


def _leg(account_id: str, version: int, events: list[DomainEvent]) -> Leg:
    balance: int = getattr(events[-1], "balance_after_paise")  # noqa: B009 (each movement event has one)
    return Leg(ACCOUNT.stream_id(account_id), ACCOUNT.name, version, events, balance)
