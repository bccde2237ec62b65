"""The wallet's side of UPI payments (the upi context decides them through
`shared.upi.ledger`): its debit, credit, credit back and settlement events, appended with the
upi context's own in one transaction. Re-exported by `shared.wallets.events`, whose `EVENT_TYPES`
lists them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events import DomainEvent


class WalletUpiDebited(DomainEvent):
    """A UPI payment from a VPA linked to the wallet, appended with the payee's credit (an
    account's or a wallet's) and the upi context's `UpiPaymentSent` in one transaction."""

    wallet_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    leaves_bahi: bool = False
    """The payee is at another psp: the debit is open until `WalletUpiSettled` or
    `WalletUpiReversed` (events stored before this field read False)."""
    occurred_at: datetime


class WalletUpiCredited(DomainEvent):
    """A UPI payment to a VPA linked to the wallet (see `WalletUpiDebited`): a load."""

    wallet_id: str
    payment_id: str
    rrn: str
    vpa: str
    payer_vpa: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletUpiReversed(DomainEvent):
    """A UPI payment that left Bahi from a VPA linked to the wallet and failed (declined by the
    switch, or deemed and reversed by T+1), credited back: appended with the upi context's
    `UpiPaymentDeclined` or `UpiPaymentReversed`. Never refused (it is the payer's own money
    coming back), and no load (the PPI load limits do not count it)."""

    wallet_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    reason: str
    debited_at: datetime
    """When the payment it reverses was debited."""
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletUpiSettled(DomainEvent):
    """A UPI payment that left Bahi from a VPA linked to the wallet, credited at the payee's psp:
    its debit (`WalletUpiDebited` with `leaves_bahi`) is final. No money moves (the balance is the
    one after the debit); appended with the upi context's `UpiPaymentCompleted`."""

    wallet_id: str
    payment_id: str
    rrn: str
    vpa: str
    payee_vpa: str
    amount_paise: int = Field(gt=0)
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime
