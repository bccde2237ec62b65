"""The upi context's events (frozen pydantic models, schema version 1). A VPA's stream holds its
registration and the payments it sent, with what became of those leaving Bahi (completed at the
payee's psp, declined, deemed, reversed); an RRN claimed by a command service older than
2026-12-02, its stream's `UpiRrnClaimed` (kept so that stored streams still read; an RRN is a
serial of its IST hour now, and nothing appends it). The money itself moves on the linked
accounts' and wallets' streams, by their own contexts' events (`AccountUpiDebited`,
`WalletUpiCredited`, `AccountUpiReversed`, ...), in the same append as the upi event that
decides it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events import DomainEvent, Upcaster
from shared.upi.values import LinkType, PaymentStatus, VpaKind


class UpiVpaRegistered(DomainEvent):
    vpa: str
    kind: VpaKind
    link_type: LinkType
    link_id: str
    """The `account_id` or the `wallet_id` the VPA pays from and is paid into."""
    customer_id: str
    """The linked account's or wallet's customer: the VPA's owner."""
    occurred_at: datetime


class UpiPaymentSent(DomainEvent):
    """On the payer's VPA stream, appended with the payer's debit and the payee's credit in one
    transaction (`status` COMPLETED). A payment leaving Bahi (the payee's VPA is another psp's)
    is appended with the payer's debit only, `status` PENDING and no payee link
    (`payee_link_type`, `payee_link_id`, `payee_customer_id` None): the switch's answer follows
    (`UpiPaymentCompleted`, `UpiPaymentDeclined` or `UpiPaymentDeemed`)."""

    payment_id: str
    rrn: str
    payer_vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    p2p: bool
    """True when the payee is a PERSON's VPA (the P2P limits count it)."""
    in_new_vpa_window: bool
    """True when the payer's VPA was in its new-VPA window when the payment was decided (the
    window's total counts it): the decision's fact, so replaying needs no policy."""
    payer_link_type: LinkType
    payer_link_id: str
    payer_customer_id: str
    payee_link_type: LinkType | None = None
    payee_link_id: str | None = None
    payee_customer_id: str | None = None
    """None for a payee outside Bahi (a PENDING payment); always set on a COMPLETED one."""
    status: PaymentStatus = PaymentStatus.COMPLETED
    occurred_at: datetime


class UpiPaymentCompleted(DomainEvent):
    """A payment leaving Bahi that the switch says the payee's psp credited: the payer's debit
    stands, made final by the payer's `AccountUpiSettled` or `WalletUpiSettled` in the same
    append."""

    payment_id: str
    rrn: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    occurred_at: datetime


class UpiPaymentDeclined(DomainEvent):
    """The switch declined a payment leaving Bahi: appended with the payer's credit back
    (`AccountUpiReversed` or `WalletUpiReversed`) in one transaction."""

    payment_id: str
    rrn: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    reason: str
    occurred_at: datetime


class UpiPaymentDeemed(DomainEvent):
    """The switch gave no answer about a payment leaving Bahi: it is deemed failed, and the payer
    is owed its reversal by `reverse_by` (the end of T+1: `shared.upi.tat`)."""

    payment_id: str
    rrn: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    reason: str
    reverse_by: datetime
    occurred_at: datetime


class UpiPaymentReversed(DomainEvent):
    """A deemed payment credited back to the payer (appended with `AccountUpiReversed` or
    `WalletUpiReversed`). Reversed at or after `reverse_by` it is late: `days_late` IST days
    after T+1, and `compensation_paise` (the policy's amount per day, times the days) is owed to
    the payer — accrued here, paid by Bahi out of its own books (not a customer's account)."""

    payment_id: str
    rrn: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    reason: str
    reverse_by: datetime
    days_late: int = Field(ge=0)
    compensation_paise: int = Field(ge=0)
    occurred_at: datetime


class UpiCollectRequested(DomainEvent):
    """A merchant's VPA asks the payer's VPA for money (P2P is push only: only a MERCHANT VPA
    may); the payer accepts (the payment is then made) or declines before `expires_at`."""

    collect_id: str
    payee_vpa: str
    payer_vpa: str
    payer_customer_id: str
    """The payer VPA's owner: the customer who may accept or decline."""
    payee_customer_id: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    expires_at: datetime
    occurred_at: datetime


class UpiCollectAccepted(DomainEvent):
    """Appended with the payment it made (`UpiPaymentSent` with `payment_id` = the collect id)."""

    collect_id: str
    rrn: str
    occurred_at: datetime


class UpiCollectDeclined(DomainEvent):
    collect_id: str
    reason: str | None = None
    occurred_at: datetime


class UpiRrnClaimed(DomainEvent):
    rrn: str
    payment_id: str
    payer_vpa: str
    occurred_at: datetime


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    UpiVpaRegistered,
    UpiPaymentSent,
    UpiPaymentCompleted,
    UpiPaymentDeclined,
    UpiPaymentDeemed,
    UpiPaymentReversed,
    UpiRrnClaimed,
    UpiCollectRequested,
    UpiCollectAccepted,
    UpiCollectDeclined,
)
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
