"""The wallets context's commands: imperative, validated requests (pydantic). Bad input never
reaches the domain; amounts are integer paise (strict: "100" or 1.5 are refused)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from command_service.handling import Command
from shared.streams import ID_PATTERN
from shared.wallets.streams import WALLET_ID_PATTERN
from shared.wallets.values import MAX_PAISE, MOBILE_PATTERN, REFERENCE_PATTERN, DocumentType, KycLevel, TopupSource

Paise = Annotated[int, Field(gt=0, le=MAX_PAISE, strict=True)]
ClientId = Annotated[str, Field(pattern=ID_PATTERN)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
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
    topup_id: ClientId
    amount_paise: Paise
    source: TopupSource
    reference: str = Field(pattern=REFERENCE_PATTERN)


class PayFromWallet(Command):
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
    payment_id: ClientId
    amount_paise: Paise | None = None


class VoidHold(Command):
    payment_id: ClientId


class ExpireHold(Command):
    """Sent by the hold-expiry process manager once a hold's deadline has passed (no route)."""

    payment_id: ClientId


class TransferFromWallet(Command):
    transfer_id: ClientId
    to_wallet_id: str = Field(pattern=WALLET_ID_PATTERN)
    amount_paise: Paise
    note: str | None = Field(default=None, min_length=1, max_length=140)


class RefundToWallet(Command):
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
