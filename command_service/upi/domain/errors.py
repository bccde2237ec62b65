"""The upi context's domain errors: each says what the caller needs to fix the request.

A limit's refusal is a 422 naming the rule (`UpiLimitError`, `shared.limits`); a request that can
never pass a 422 naming the field (`InvalidUpiRequestError`); a VPA already claimed a 409; an
unknown VPA a 404 naming the field.
"""

from __future__ import annotations

from shared.errors import DomainError
from shared.limits import RuleRefusedError


class VpaNotFoundError(DomainError):
    status = 404


class VpaTakenError(DomainError):
    status = 409


class InvalidUpiRequestError(DomainError):
    status = 422


class CollectNotFoundError(DomainError):
    status = 404


class CollectStateError(DomainError):
    """The collect request is no longer open (accepted, declined or lapsed): a 409 naming its status."""

    status = 409


class PaymentNotPendingError(DomainError):
    """The switch's answer or a reversal for a payment that is not (or no longer) waiting for it."""

    status = 409


class RrnExhaustedError(DomainError):
    """Every serial of the IST hour is given out (`payments.RRN_SERIALS`): nothing is recorded, and
    the same request succeeds once the hour turns."""

    status = 503


class UpiLimitError(RuleRefusedError):
    """A UPI limit refuses the amount: names the rule, its figure, what would have passed and the
    payer's VPA."""

    def __init__(self, *, vpa: str, rule: str, limit_paise: int, allowed_paise: int, requested_paise: int) -> None:
        super().__init__(
            id_field="vpa",
            subject=vpa,
            rule=rule,
            limit_paise=limit_paise,
            allowed_paise=allowed_paise,
            requested_paise=requested_paise,
            field="amount_paise",
        )
