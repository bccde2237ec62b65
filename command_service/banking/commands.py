"""The banking context's commands: imperative, validated requests (pydantic). Bad input never
reaches the domain; amounts are integer paise (strict: "100" or 1.5 are refused); an IFSC is
four capital letters, a 0 and six capital letters or digits (`shared.banking.values`).

Movement ids (`txn_id` of a deposit or a withdrawal, `transfer_id`; a settlement by its transfer
id, a minimum-balance charge by its month) are idempotency keys of the account, recorded by the
dispatcher with the events (`command_service.handling.movements`): the same id and body answer
the first result and append nothing; another body is a 409 naming the field."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from command_service.handling import Command, MovementId
from shared.banking.streams import ACCOUNT_ID_PATTERN
from shared.banking.values import (
    ACCOUNT_NUMBER_PATTERN,
    IFSC_PATTERN,
    MAX_PAISE,
    MONTH_PATTERN,
    AccountType,
    DepositMode,
    Outcome,
    Rail,
)
from shared.streams import ID_PATTERN

Paise = Annotated[int, Field(gt=0, le=MAX_PAISE, strict=True)]
ClientId = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=140, pattern=r"^[^\x00-\x1f\x7f]+$")]
Reason = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Ifsc = Annotated[str, Field(pattern=IFSC_PATTERN, description="4 capital letters, 0, 6 capital letters or digits")]


class OpenAccount(Command):
    creates_aggregate: ClassVar[bool] = True

    customer_id: ClientId
    holder_name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    type: AccountType
    branch_ifsc: Ifsc


class Deposit(Command):
    movement: ClassVar[MovementId | None] = MovementId("deposit", "txn_id")

    txn_id: ClientId
    amount_paise: Paise
    mode: DepositMode
    narration: Text


class Withdraw(Command):
    movement: ClassVar[MovementId | None] = MovementId("withdrawal", "txn_id")

    txn_id: ClientId
    amount_paise: Paise
    mode: DepositMode
    narration: Text


class Transfer(Command):
    """External rails name `to_account_number` and `to_ifsc`; INTERNAL names `to_account_id`."""

    movement: ClassVar[MovementId | None] = MovementId("transfer", "transfer_id")

    transfer_id: ClientId
    rail: Rail
    amount_paise: Paise
    to_account_number: str | None = Field(default=None, pattern=ACCOUNT_NUMBER_PATTERN, validate_default=True)
    to_ifsc: Ifsc | None = Field(default=None, validate_default=True)
    to_account_id: str | None = Field(default=None, pattern=ACCOUNT_ID_PATTERN, validate_default=True)
    narration: Text | None = None

    @field_validator("to_account_number", "to_ifsc")
    @classmethod
    def _external_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        rail = info.data.get("rail")
        if rail is None:
            return value  # the rail itself is invalid: that error is the one to read
        if rail is Rail.INTERNAL and value is not None:
            raise ValueError("an INTERNAL transfer names to_account_id, not an account number or IFSC")
        if rail is not Rail.INTERNAL and value is None:
            raise ValueError(f"required for a {rail.value} transfer")
        return value

    @field_validator("to_account_id")
    @classmethod
    def _internal_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        rail = info.data.get("rail")
        if rail is Rail.INTERNAL and value is None:
            raise ValueError("required for an INTERNAL transfer")
        if rail is not None and rail is not Rail.INTERNAL and value is not None:
            raise ValueError(f"a {rail.value} transfer names to_account_number and to_ifsc, not to_account_id")
        return value


class SettleTransfer(Command):
    """Sent by the settlement process manager with the clearing's answer (no route)."""

    movement: ClassVar[MovementId | None] = MovementId("settlement", "transfer_id")

    transfer_id: ClientId
    outcome: Outcome
    reason: Reason | None = None
    batch_id: str | None = Field(default=None, max_length=64)
    utr: str = Field(pattern=r"^[A-Z0-9]{1,22}$")


class ChargeMinimumBalance(Command):
    movement: ClassVar[MovementId | None] = MovementId("minimum_balance_charge", "month")

    month: str = Field(pattern=MONTH_PATTERN, description="an IST month that has ended, YYYY-MM")


class FreezeAccount(Command):
    reason: Reason


class UnfreezeAccount(Command):
    reason: Reason


class CloseAccount(Command):
    reason: Reason = "closed at the customer's request"
