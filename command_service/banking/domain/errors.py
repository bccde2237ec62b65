"""The banking context's domain errors: each says what the caller needs to fix the request.

A rule refusal is a 422 naming the rule (`PolicyRefusedError`, `shared.limits`); a request the
account can never take a 422 naming the field; a request that does not fit the account's current
state a 409; an unknown account or transfer a 404.
"""

from __future__ import annotations

from shared.errors import DomainError
from shared.limits import RuleRefusedError


class AccountNotFoundError(DomainError):
    status = 404


class TransferNotFoundError(DomainError):
    status = 404


class PolicyRefusedError(RuleRefusedError):
    """A rule refuses the amount: names the rule, its figure and what would have passed
    (`allowed_paise`, or `minimum_paise` for a floor), and the account whose rule it is."""

    def __init__(
        self,
        *,
        account_id: str,
        rule: str,
        limit_paise: int,
        requested_paise: int,
        allowed_paise: int | None = None,
        minimum_paise: int | None = None,
    ) -> None:
        super().__init__(
            id_field="account_id",
            subject=account_id,
            rule=rule,
            limit_paise=limit_paise,
            requested_paise=requested_paise,
            allowed_paise=allowed_paise,
            minimum_paise=minimum_paise,
        )


class InvalidRequestError(DomainError):
    """A request the account can never take, whatever its state (a transfer to itself, a charge
    for a month that has not ended): names the field."""

    status = 422


class ChargeRefusedError(DomainError):
    """A minimum-balance charge that does not apply to this account (its type): names the rule."""

    status = 422


class IllegalAccountTransitionError(DomainError):
    def __init__(self, account_id: str, action: str, current: str, allowed: list[str]) -> None:
        nexts = ", ".join(allowed) or "none (final status)"
        super().__init__(
            f"cannot {action} account {account_id}: it is {current}; allowed next: {nexts}",
            account_id=account_id,
            current_status=current,
            allowed_next=allowed,
        )


class ClosingError(DomainError):
    """An account that cannot close yet: money in it, transfers with the clearing, or UPI payments
    waiting for the switch."""


class AlreadyChargedError(DomainError):
    """The month's minimum-balance charge was levied already."""


class TransferNotPendingError(DomainError):
    """The transfer is settled or returned already (or internal: never pending)."""


class AccountNumberExhaustedError(DomainError):
    """No free account number among the candidates of an account id (never expected: 10^12 numbers)."""
