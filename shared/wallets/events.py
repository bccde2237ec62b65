"""Events of the `wallet` stream (and the one event of the `wallet_owner` index stream).

Every wallet event carries `wallet_id`, `balance_after_paise` (the balance once it applied:
a statement or a balance history needs no fold) and `occurred_at` (UTC). A movement carries
its client-chosen id under its own name (`topup_id`, `payment_id`, `transfer_id`,
`refund_id`): the id is the movement's idempotency key. Events that move held money carry
`held_after_paise` as well. Amounts are integer paise.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events import DomainEvent, Upcaster

# The UPI legs' events live in `upi_events`; re-exported, as every event of the context is named here.
from shared.wallets.upi_events import WalletUpiCredited as WalletUpiCredited
from shared.wallets.upi_events import WalletUpiDebited as WalletUpiDebited
from shared.wallets.upi_events import WalletUpiReversed as WalletUpiReversed
from shared.wallets.upi_events import WalletUpiSettled as WalletUpiSettled
from shared.wallets.values import DocumentType, KycLevel, TopupSource


class WalletOwnerRegistered(DomainEvent):
    """The index stream's only event: `customer_id` has this wallet (no money, no balance)."""

    wallet_id: str
    customer_id: str
    occurred_at: datetime


class WalletOpened(DomainEvent):
    wallet_id: str
    customer_id: str
    mobile: str
    kyc_level: KycLevel
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletKycUpgraded(DomainEvent):
    """Only ever upwards; the document's last four characters, never the whole number."""

    wallet_id: str
    from_level: KycLevel
    to_level: KycLevel
    document_type: DocumentType
    document_last4: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletToppedUp(DomainEvent):
    wallet_id: str
    topup_id: str
    amount_paise: int = Field(gt=0)
    source: TopupSource
    reference: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletPaid(DomainEvent):
    """A direct debit to a merchant: captured at once."""

    wallet_id: str
    payment_id: str
    merchant_id: str
    order_id: str | None = None
    amount_paise: int = Field(gt=0)
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletHoldPlaced(DomainEvent):
    """A pending debit: the money stays in the balance but leaves `available`."""

    wallet_id: str
    payment_id: str
    merchant_id: str
    order_id: str | None = None
    amount_paise: int = Field(gt=0)
    expires_at: datetime
    balance_after_paise: int = Field(ge=0)
    held_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletHoldCaptured(DomainEvent):
    """`captured_paise` leaves the balance; the rest of the hold (`released_paise`) is available again."""

    wallet_id: str
    payment_id: str
    merchant_id: str
    captured_paise: int = Field(gt=0)
    released_paise: int = Field(ge=0)
    balance_after_paise: int = Field(ge=0)
    held_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletHoldVoided(DomainEvent):
    wallet_id: str
    payment_id: str
    merchant_id: str
    released_paise: int = Field(gt=0)
    balance_after_paise: int = Field(ge=0)
    held_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletHoldExpired(DomainEvent):
    """Sent by the hold-expiry process manager: `expired_at` is the deadline, `occurred_at` when recorded."""

    wallet_id: str
    payment_id: str
    merchant_id: str
    released_paise: int = Field(gt=0)
    expired_at: datetime
    balance_after_paise: int = Field(ge=0)
    held_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletTransferSent(DomainEvent):
    """P2P, appended with the receiver's `WalletTransferReceived` in one transaction."""

    wallet_id: str
    transfer_id: str
    to_wallet_id: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletTransferReceived(DomainEvent):
    wallet_id: str
    transfer_id: str
    from_wallet_id: str
    amount_paise: int = Field(gt=0)
    note: str | None = None
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletRefunded(DomainEvent):
    """A merchant's refund of a captured payment, credited to the wallet."""

    wallet_id: str
    refund_id: str
    payment_id: str
    merchant_id: str
    amount_paise: int = Field(gt=0)
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletFrozen(DomainEvent):
    wallet_id: str
    reason: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletUnfrozen(DomainEvent):
    wallet_id: str
    reason: str
    balance_after_paise: int = Field(ge=0)
    occurred_at: datetime


class WalletClosed(DomainEvent):
    """Final. A remaining balance leaves in this event, to `to_bank_account` (refund to source)."""

    wallet_id: str
    reason: str
    to_bank_account: str | None = None
    paid_out_paise: int = Field(ge=0)
    balance_after_paise: int = Field(ge=0, le=0)
    occurred_at: datetime


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    WalletOwnerRegistered,
    WalletOpened,
    WalletKycUpgraded,
    WalletToppedUp,
    WalletPaid,
    WalletHoldPlaced,
    WalletHoldCaptured,
    WalletHoldVoided,
    WalletHoldExpired,
    WalletTransferSent,
    WalletTransferReceived,
    WalletRefunded,
    WalletUpiDebited,
    WalletUpiCredited,
    WalletUpiReversed,
    WalletUpiSettled,
    WalletFrozen,
    WalletUnfrozen,
    WalletClosed,
)
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""(event type, from schema version) -> the payload of version + 1: none yet, every event is v1."""
