"""The wallets context's domain errors: each says what the caller needs to fix the request.

A rule refusal is a 422 naming the rule (`PolicyRefusedError`); a request that does not fit the
wallet's current state is a 409; an unknown wallet or payment a 404.
"""

from __future__ import annotations

from datetime import datetime

from shared.errors import DomainError
from shared.limits import RuleRefusedError


class WalletNotFoundError(DomainError):
    status = 404


class PaymentNotFoundError(DomainError):
    status = 404


class WalletAlreadyExistsError(DomainError):
    """The customer has a wallet already (one per customer): names it."""

    def __init__(self, customer_id: str, wallet_id: str) -> None:
        super().__init__(
            f"customer {customer_id} already has wallet {wallet_id}", customer_id=customer_id, wallet_id=wallet_id
        )


class PolicyRefusedError(RuleRefusedError):
    """A PPI rule refuses the movement: `limit_paise` is the rule's figure, `allowed_paise` the
    most that would have passed now (0: nothing would)."""

    def __init__(
        self, *, wallet_id: str, rule: str, limit_paise: int, allowed_paise: int, requested_paise: int
    ) -> None:
        super().__init__(
            id_field="wallet_id",
            subject=wallet_id,
            rule=rule,
            limit_paise=limit_paise,
            allowed_paise=allowed_paise,
            requested_paise=requested_paise,
        )


class InvalidMovementError(DomainError):
    """A request the wallet can never take, whatever its state (a transfer to itself)."""

    status = 422


class IllegalWalletTransitionError(DomainError):
    def __init__(self, wallet_id: str, action: str, current: str, allowed: list[str]) -> None:
        nexts = ", ".join(allowed) or "none (final status)"
        super().__init__(
            f"cannot {action} wallet {wallet_id}: it is {current}; allowed next: {nexts}",
            wallet_id=wallet_id,
            current_status=current,
            allowed_next=allowed,
        )


class KycUpgradeError(DomainError):
    """KYC only goes up, and not on a closed wallet."""


class PaymentStateError(DomainError):
    """The payment is not in a state this step applies to (voiding a captured hold, capturing a direct payment)."""

    def __init__(self, payment_id: str, action: str, status: str) -> None:
        super().__init__(
            f"cannot {action} payment {payment_id}: it is {status}", payment_id=payment_id, payment_status=status
        )


class HoldExpiredError(DomainError):
    def __init__(self, payment_id: str, expired_at: datetime) -> None:
        super().__init__(
            f"the hold for payment {payment_id} expired at {expired_at.isoformat()}: it can no longer be captured",
            payment_id=payment_id,
            expired_at=expired_at.isoformat(),
        )


class HoldNotDueError(DomainError):
    def __init__(self, payment_id: str, expires_at: datetime) -> None:
        super().__init__(
            f"the hold for payment {payment_id} expires at {expires_at.isoformat()}, not yet",
            payment_id=payment_id,
            expires_at=expires_at.isoformat(),
        )


class CaptureExceedsHoldError(DomainError):
    def __init__(self, payment_id: str, held_paise: int, requested_paise: int) -> None:
        super().__init__(
            f"payment {payment_id} holds {held_paise} paise, {requested_paise} asked",
            field="amount_paise",
            payment_id=payment_id,
            held_paise=held_paise,
        )


class ClosingError(DomainError):
    """A wallet that cannot close yet: money held, a balance with nowhere to go, or UPI payments
    waiting for the switch."""
