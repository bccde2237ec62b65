"""The port through which a UPI payment moves money in the contexts that hold it (banking's
accounts, wallets' wallets) without the upi context importing them.

Each of those contexts implements `UpiLedger` with its own domain (its rules, its events) and
provides it to the command service's handlers by name (`upi_account_ledger`,
`upi_wallet_ledger`: `CommandManifest.dependencies`). The upi handler asks for both, lets the
payer's ledger decide the debit and the payee's the credit, and appends the two legs with its own
events in one transaction: both streams move or neither, and a concurrent write to either makes
the append conflict and the dispatcher decide all of it again. A ledger decides; it never
appends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from shared.events import DomainEvent
from shared.upi.values import LinkType


class UpiMovement(NamedTuple):
    """One side of a payment as its ledger records it. A named tuple (as `Leg`), not a frozen
    dataclass: every payment in Bahi builds two of each, and a frozen dataclass sets each field
    through `object.__setattr__`."""

    payment_id: str
    rrn: str
    vpa: str
    """The side's own VPA (the payer's for a debit, the payee's for a credit)."""
    counterparty_vpa: str
    amount_paise: int
    note: str | None
    p2p: bool
    """True when the payee is a PERSON's VPA (a minimum-KYC wallet sends no P2P, for one)."""
    leaves_bahi: bool = False
    """A debit for a payee at another psp: open (the switch has not answered) until the payment
    settles (`UpiLedger.settle`) or is credited back (`UpiLedger.refund`); the account or wallet
    does not close while one is open."""


@dataclass(frozen=True)
class UpiRefund:
    """A failed payment's amount going back to its payer (`UpiLedger.refund`)."""

    payment_id: str
    rrn: str
    vpa: str
    """The payer's VPA."""
    counterparty_vpa: str
    amount_paise: int
    reason: str
    debited_at: Any
    """When the payer was debited (a datetime)."""


@dataclass(frozen=True)
class UpiSettlement:
    """A payment that left Bahi, credited at the payee's psp (`UpiLedger.settle`): the payer's
    debit is final."""

    payment_id: str
    rrn: str
    vpa: str
    """The payer's VPA."""
    counterparty_vpa: str
    amount_paise: int

    def event_fields(self, balance_after_paise: int, now: Any) -> dict[str, Any]:
        """The fields of the ledger's `…UpiSettled` event besides its own id."""
        return {
            "payment_id": self.payment_id,
            "rrn": self.rrn,
            "vpa": self.vpa,
            "payee_vpa": self.counterparty_vpa,
            "amount_paise": self.amount_paise,
            "balance_after_paise": balance_after_paise,
            "occurred_at": now,
        }


class Leg(NamedTuple):
    """A ledger's decision: the events to append to one stream at its version."""

    stream_id: str
    stream_type: str
    expected_version: int
    events: list[DomainEvent]
    balance_after_paise: int


@dataclass(frozen=True)
class Holder:
    """The account or wallet a VPA may be linked to."""

    link_id: str
    customer_id: str
    active: bool


class UpiLedger(Protocol):
    link_type: LinkType

    async def holder(self, load: Any, link_id: str) -> Holder | None:
        """The account or wallet, or None when it does not exist."""
        ...

    async def debit(self, load: Any, link_id: str, movement: UpiMovement, now: Any) -> Leg:
        """The payer's side; raises the context's `DomainError` when its rules refuse it."""
        ...

    async def credit(self, load: Any, link_id: str, movement: UpiMovement, now: Any) -> Leg:
        """The payee's side; raises the context's `DomainError` when its rules refuse it."""
        ...

    async def refund(self, load: Any, link_id: str, refund: UpiRefund, now: Any) -> Leg:
        """The payer credited back for a payment that left Bahi and failed: never refused by the
        context's rules (only an unknown account or wallet raises)."""
        ...

    async def settle(self, load: Any, link_id: str, settled: UpiSettlement, now: Any) -> Leg:
        """The payer's open debit made final (the payment was credited at the payee's psp): no money
        moves, and nothing refuses it (only an unknown account or wallet raises)."""
        ...
