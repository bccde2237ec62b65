"""What the rules see of the money events: a `Movement` (in or out, how much, when, with whom,
cash or not), from the events of the subject's own stream — a bank account's, a wallet's (orders
paid from it among them) or a VPA's. Pure.

Every money event of a subject is on the subject's own stream (a UPI payment's debit is on the
payer account's or wallet's stream, its credit on the payee's), so one stream, in its version
order, is all a subject's rules need: the order of topics on a replay cannot change an alert.

Counterparties, as the rules compare them: a VPA for UPI, `acct:<number>@<ifsc>` for a bank
transfer out (the bank's new-payee key: IFSC and account number; INTERNAL: this bank's own
accounts by number), `acct:<account id>` for an internal transfer in, `wal:<id>` for a wallet
transfer, `merchant:<id>` for a wallet's payment or refund. Cash and top-ups have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from shared.banking import events as bank
from shared.banking.values import DepositMode, Rail
from shared.events import DomainEvent
from shared.periods import month_key
from shared.policy import IST
from shared.upi import events as upi
from shared.wallets import events as wal
from shared.wallets.values import TopupSource

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Direction(StrEnum):
    IN = "IN"
    OUT = "OUT"


def micros(at: datetime) -> int:
    """A moment as integer microseconds since the epoch: what the documents store, so a value read
    back from MongoDB (which keeps milliseconds of a date) compares as it did when written."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def moment(us: int) -> str:
    """RFC 3339 UTC with microseconds: how documents show a stored moment."""
    return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Movement:
    direction: Direction
    amount_paise: int
    at: datetime
    counterparty: str | None
    cash: bool
    event_type: str
    new_payee_window: bool = False
    """A bank transfer out (the bank's new-payee window counts it)."""
    t: int = field(init=False)
    """`at` in event-time microseconds."""
    stamp: str = field(init=False)
    """`moment(t)`: how documents show it."""
    month: str = field(init=False)
    """The IST calendar month ("2026-11")."""
    day: date = field(init=False)
    """The IST date: the day whose policy rows apply."""

    def __post_init__(self) -> None:
        # Computed once: the fold reads them many times per event.
        t = micros(self.at)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "stamp", moment(t))
        object.__setattr__(self, "month", month_key(self.at))
        object.__setattr__(self, "day", self.at.astimezone(IST).date())


def movement_of(event: DomainEvent) -> Movement | None:
    """The movement an event records, or None (an opening, a freeze, a settlement: no money moves)."""
    name = type(event).__name__
    out, into = Direction.OUT, Direction.IN
    match event:
        case bank.AccountDeposited() | bank.AccountWithdrawn():
            direction = into if isinstance(event, bank.AccountDeposited) else out
            cash = event.mode is DepositMode.CASH
            return Movement(direction, event.amount_paise, event.occurred_at, None, cash, name)
        case bank.AccountTransferInitiated():
            payee = f"acct:{event.to_account_number}@{event.to_ifsc}"
            return Movement(out, event.amount_paise, event.occurred_at, payee, False, name, new_payee_window=True)
        case bank.AccountTransferSent():
            payee = f"acct:{event.to_account_number}@{Rail.INTERNAL.value}"
            return Movement(out, event.amount_paise, event.occurred_at, payee, False, name, new_payee_window=True)
        case bank.AccountTransferReceived():
            return Movement(into, event.amount_paise, event.occurred_at, f"acct:{event.from_account_id}", False, name)
        case bank.AccountUpiDebited() | wal.WalletUpiDebited():
            return Movement(out, event.amount_paise, event.occurred_at, event.payee_vpa, False, name)
        case bank.AccountUpiCredited() | wal.WalletUpiCredited():
            return Movement(into, event.amount_paise, event.occurred_at, event.payer_vpa, False, name)
        case wal.WalletToppedUp():
            return Movement(into, event.amount_paise, event.occurred_at, None, event.source is TopupSource.CASH, name)
        case wal.WalletPaid():
            return Movement(out, event.amount_paise, event.occurred_at, f"merchant:{event.merchant_id}", False, name)
        case wal.WalletHoldCaptured():
            merchant = f"merchant:{event.merchant_id}"
            return Movement(out, event.captured_paise, event.occurred_at, merchant, False, name)
        case wal.WalletTransferSent():
            return Movement(out, event.amount_paise, event.occurred_at, f"wal:{event.to_wallet_id}", False, name)
        case wal.WalletTransferReceived():
            return Movement(into, event.amount_paise, event.occurred_at, f"wal:{event.from_wallet_id}", False, name)
        case wal.WalletRefunded():
            return Movement(into, event.amount_paise, event.occurred_at, f"merchant:{event.merchant_id}", False, name)
        case upi.UpiPaymentSent():
            return Movement(out, event.amount_paise, event.occurred_at, event.payee_vpa, False, name)
    return None


OPENINGS: tuple[type[DomainEvent], ...] = (bank.AccountOpened, wal.WalletOpened, upi.UpiVpaRegistered)

MONEY_EVENTS: tuple[type[DomainEvent], ...] = (
    bank.AccountDeposited,
    bank.AccountWithdrawn,
    bank.AccountTransferInitiated,
    bank.AccountTransferSent,
    bank.AccountTransferReceived,
    bank.AccountUpiDebited,
    bank.AccountUpiCredited,
    wal.WalletUpiDebited,
    wal.WalletUpiCredited,
    wal.WalletToppedUp,
    wal.WalletPaid,
    wal.WalletHoldCaptured,
    wal.WalletTransferSent,
    wal.WalletTransferReceived,
    wal.WalletRefunded,
    upi.UpiPaymentSent,
)

EVENT_NAMES = frozenset(t.__name__ for t in (*OPENINGS, *MONEY_EVENTS))
"""The event types a subject's fold reads: anything else (a new upi event, a freeze) is passed by
without being parsed."""
