"""The wallets context's commands: imperative, validated requests (pydantic). Bad input never
reaches the domain; amounts are integer paise (strict: "100" or 1.5 are refused).

Movement ids (`topup_id`, `payment_id`, `transfer_id`, `refund_id`; a capture and a void by
their payment id) are idempotency keys of the wallet, recorded by the dispatcher with the
events (`command_service.handling.movements`): a capture's body is compared as sent, so a
capture without an amount and one naming the whole hold's amount are different bodies."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from command_service.handling import Command, MovementId
from shared.streams import ID_PATTERN
from shared.wallets.streams import WALLET_ID_PATTERN
from shared.wallets.values import MAX_PAISE, MOBILE_PATTERN, REFERENCE_PATTERN, DocumentType, KycLevel, TopupSource

# Free text: printable, not only spaces. Control characters (NUL above all: PostgreSQL's JSONB
# cannot store it) are a 422 naming the field, not a failed append.
TEXT = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"

Paise = Annotated[int, Field(gt=0, le=MAX_PAISE, strict=True)]
ClientId = Annotated[str, Field(pattern=ID_PATTERN)]
Reason = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT)]
BANK_ACCOUNT_PATTERN = r"^[A-Z]{4}0[A-Z0-9]{6}:[0-9]{9,18}$"
"""IFSC, a colon, the account number: where a closing wallet's balance is paid out."""


class OpenWallet(Command):
    creates_aggregate: ClassVar[bool] = True

    customer_id: ClientId
    mobile: str = Field(pattern=MOBILE_PATTERN)
    kyc: KycLevel


class UpgradeKyc(Command):
    level: KycLevel
    document_type: DocumentType
    document_last4: str = Field(pattern=r"^[A-Za-z0-9]{4}$")


class TopUpWallet(Command):
    movement: ClassVar[MovementId | None] = MovementId("topup", "topup_id")

    topup_id: ClientId
    amount_paise: Paise
    source: TopupSource
    reference: str = Field(pattern=REFERENCE_PATTERN)


class PayFromWallet(Command):
    movement: ClassVar[MovementId | None] = MovementId("payment", "payment_id")

    payment_id: ClientId
    merchant_id: ClientId
    amount_paise: Paise
    order_id: ClientId | None = None
    hold: bool = Field(default=False, strict=True)
    """True: a pending debit, captured or voided later (or expired)."""


class CaptureRequest(BaseModel):
    """The body of a capture (the payment id is in the path): no amount captures the whole hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount_paise: Paise | None = None


class CaptureHold(Command):
    movement: ClassVar[MovementId | None] = MovementId("capture", "payment_id")

    payment_id: ClientId
    amount_paise: Paise | None = None


class VoidHold(Command):
    movement: ClassVar[MovementId | None] = MovementId("void", "payment_id")

    payment_id: ClientId


class ExpireHold(Command):
    """Sent by the hold-expiry process manager once a hold's deadline has passed (no route)."""

    payment_id: ClientId


class TransferFromWallet(Command):
    movement: ClassVar[MovementId | None] = MovementId("transfer", "transfer_id")

    transfer_id: ClientId
    to_wallet_id: str = Field(pattern=WALLET_ID_PATTERN)
    amount_paise: Paise
    note: str | None = Field(default=None, min_length=1, max_length=140, pattern=TEXT)


class RefundToWallet(Command):
    movement: ClassVar[MovementId | None] = MovementId("refund", "refund_id")

    refund_id: ClientId
    payment_id: ClientId
    amount_paise: Paise


class FreezeWallet(Command):
    reason: Reason


class UnfreezeWallet(Command):
    reason: Reason


class CloseWallet(Command):
    reason: Reason = "closed at the customer's request"
    to_bank_account: str | None = Field(default=None, pattern=BANK_ACCOUNT_PATTERN)
