"""The account's side of UPI payments (the upi context decides them through
`shared.upi.ledger`): its debit, credit, credit back and settlement events, appended with the
upi context's own in one transaction. Re-exported by `shared.banking.events`, whose `EVENT_TYPES`
lists them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events import DomainEvent


class AccountUpiDebited(DomainEvent):
    """A UPI payment from a VPA linked to the account, appended with the payee's credit (an
    account's or a wallet's) and the upi context's `UpiPaymentSent` in one transaction."""

    account_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    leaves_bahi: bool = False
    """The payee is at another psp: the debit is open until `AccountUpiSettled` or
    `AccountUpiReversed` (events stored before this field read False)."""
    occurred_at: datetime


class AccountUpiCredited(DomainEvent):
    """A UPI payment to a VPA linked to the account (see `AccountUpiDebited`)."""

    account_id: str
    payment_id: str
    rrn: str
    vpa: str
    payer_vpa: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountUpiReversed(DomainEvent):
    """A UPI payment that left Bahi from a VPA linked to the account and failed (declined by the
    switch, or deemed and reversed by T+1), credited back: appended with the upi context's
    `UpiPaymentDeclined` or `UpiPaymentReversed`. Never refused (it is the payer's own money
    coming back), and no credit for the account's limits (a BSBD account's yearly credits): the
    month's debits it counted are given back, as for a returned transfer."""

    account_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    reason: str
    debited_at: datetime
    """When the payment it reverses was debited (its month's debits are given back)."""
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class AccountUpiSettled(DomainEvent):
    """A UPI payment that left Bahi from a VPA linked to the account, credited at the payee's psp:
    its debit (`AccountUpiDebited` with `leaves_bahi`) is final. No money moves (the balance is the
    one after the debit); appended with the upi context's `UpiPaymentCompleted`."""

    account_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime
