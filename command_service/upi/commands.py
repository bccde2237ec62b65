"""The upi context's commands: imperative, validated requests (pydantic). Bad input never reaches
the domain: a VPA outside the grammar (`shared.upi.values`), both or neither of `account_id` and
`wallet_id`, an amount that is not integer paise are 422s naming the field.

`payment_id` is a movement id (`command_service.handling.movements`) of the payer's VPA: the same
id and body answer the first result (and its RRN) and append nothing; another body is a 409
naming the field that differs."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from command_service.handling import Command, MovementId
from shared.banking.streams import ACCOUNT_ID_PATTERN
from shared.streams import ID_PATTERN
from shared.upi.values import MAX_PAISE, VPA_PATTERN, LinkType, SwitchOutcome, VpaKind
from shared.wallets.streams import WALLET_ID_PATTERN

VpaText = Annotated[str, Field(pattern=VPA_PATTERN, max_length=91)]
Paise = Annotated[int, Field(gt=0, le=MAX_PAISE, strict=True)]


_ONE_LINK: dict[str, Any] = {
    "oneOf": [
        {"required": ["account_id"], "properties": {"account_id": {"type": "string"}, "wallet_id": {"type": "null"}}},
        {"required": ["wallet_id"], "properties": {"wallet_id": {"type": "string"}, "account_id": {"type": "null"}}},
    ]
}
"""The one-link rule in the OpenAPI document too, so a client (or a fuzzer) knows it."""


class RegisterVpa(Command):
    model_config = ConfigDict(**Command.model_config, json_schema_extra=_ONE_LINK)

    vpa: VpaText
    kind: VpaKind = VpaKind.PERSON
    account_id: str | None = Field(default=None, pattern=ACCOUNT_ID_PATTERN)
    wallet_id: str | None = Field(default=None, pattern=WALLET_ID_PATTERN, validate_default=True)

    @field_validator("wallet_id")
    @classmethod
    def _one_link(cls, wallet_id: str | None, info: ValidationInfo) -> str | None:
        """Exactly one link; the error names `wallet_id` (the field checked last)."""
        if (info.data.get("account_id") is None) == (wallet_id is None):
            raise ValueError("name exactly one of account_id and wallet_id")
        return wallet_id

    @property
    def link(self) -> tuple[LinkType, str]:
        if self.account_id is not None:
            return LinkType.ACCOUNT, self.account_id
        assert self.wallet_id is not None
        return LinkType.WALLET, self.wallet_id


class PayByUpi(Command):
    movement: ClassVar[MovementId | None] = MovementId("upi-payment", "payment_id")

    payment_id: str = Field(pattern=ID_PATTERN)
    payer_vpa: VpaText
    payee_vpa: VpaText
    amount_paise: Paise
    note: str | None = Field(default=None, max_length=100)


class RequestCollect(Command):
    """Raised by the merchant's VPA (`payee_vpa`) on the payer's (`payer_vpa`)."""

    movement: ClassVar[MovementId | None] = MovementId("upi-collect", "collect_id")

    collect_id: str = Field(pattern=ID_PATTERN)
    payee_vpa: VpaText
    payer_vpa: VpaText
    amount_paise: Paise
    note: str | None = Field(default=None, max_length=100)


class AcceptCollect(Command):
    """The payer pays the collect request (its id is the payment's `payment_id`)."""


class DeclineCollect(Command):
    reason: str | None = Field(default=None, min_length=1, max_length=200)


class SettleUpiPayment(Command):
    """Sent by the reversal process manager with the switch's answer about a payment leaving
    Bahi (no route); targets the payer's VPA."""

    movement: ClassVar[MovementId | None] = MovementId("upi-switch-answer", "payment_id")

    payment_id: str = Field(pattern=ID_PATTERN)
    outcome: SwitchOutcome
    reason: str | None = Field(default=None, min_length=1, max_length=200)


class ReverseUpiPayment(Command):
    """Sent by the reversal process manager: a deemed payment credited back to the payer (no
    route); targets the payer's VPA."""

    movement: ClassVar[MovementId | None] = MovementId("upi-reversal", "payment_id")

    payment_id: str = Field(pattern=ID_PATTERN)
    reason: str = Field(min_length=1, max_length=200)
