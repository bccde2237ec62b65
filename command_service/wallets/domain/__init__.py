"""The pure wallet domain: state and evolve, the decisions (lifecycle, movements, holds), the
rules. Imports only the standard library, pydantic and
`shared` (checked by import-linter once the context is wired in)."""

from command_service.wallets.domain.errors import (
    CaptureExceedsHoldError,
    ClosingError,
    HoldExpiredError,
    HoldNotDueError,
    IllegalWalletTransitionError,
    InvalidMovementError,
    KycUpgradeError,
    PaymentNotFoundError,
    PaymentStateError,
    PolicyRefusedError,
    WalletAlreadyExistsError,
    WalletNotFoundError,
)
from command_service.wallets.domain.evolve import evolve, evolve_owner, fold
from command_service.wallets.domain.holds import decide_capture, decide_expire, decide_void
from command_service.wallets.domain.lifecycle import (
    TRANSITIONS,
    decide_close,
    decide_freeze,
    decide_open,
    decide_unfreeze,
    decide_upgrade_kyc,
)
from command_service.wallets.domain.movements import decide_pay, decide_refund, decide_top_up, decide_transfer
from command_service.wallets.domain.state import Payment, Wallet, WalletOwner
from command_service.wallets.domain.upi import decide_upi_credit, decide_upi_debit, decide_upi_refund, decide_upi_settle
from shared.wallets.streams import WALLET

STREAM_TYPE = WALLET.name

__all__ = [
    "STREAM_TYPE",
    "TRANSITIONS",
    "CaptureExceedsHoldError",
    "ClosingError",
    "HoldExpiredError",
    "HoldNotDueError",
    "IllegalWalletTransitionError",
    "InvalidMovementError",
    "KycUpgradeError",
    "Payment",
    "PaymentNotFoundError",
    "PaymentStateError",
    "PolicyRefusedError",
    "Wallet",
    "WalletAlreadyExistsError",
    "WalletNotFoundError",
    "WalletOwner",
    "decide_capture",
    "decide_close",
    "decide_expire",
    "decide_freeze",
    "decide_open",
    "decide_pay",
    "decide_refund",
    "decide_top_up",
    "decide_transfer",
    "decide_unfreeze",
    "decide_upgrade_kyc",
    "decide_upi_credit",
    "decide_upi_debit",
    "decide_upi_refund",
    "decide_upi_settle",
    "decide_void",
    "evolve",
    "evolve_owner",
    "fold",
]
