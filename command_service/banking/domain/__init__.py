"""The pure account domain: state and evolve, the decisions (lifecycle, deposits and
withdrawals, transfers and their settlement, the minimum-balance charge), the rules and the
account numbers. Imports only the standard library, pydantic and `shared` (an import-linter
contract)."""

from command_service.banking.domain.charges import average_balance, decide_minimum_balance_charge
from command_service.banking.domain.errors import (
    AccountNotFoundError,
    AccountNumberExhaustedError,
    AlreadyChargedError,
    ChargeRefusedError,
    ClosingError,
    IllegalAccountTransitionError,
    InvalidRequestError,
    PolicyRefusedError,
    TransferNotFoundError,
    TransferNotPendingError,
)
from command_service.banking.domain.evolve import evolve, evolve_claim, fold
from command_service.banking.domain.lifecycle import (
    TRANSITIONS,
    decide_close,
    decide_freeze,
    decide_open,
    decide_unfreeze,
)
from command_service.banking.domain.movements import decide_deposit, decide_withdraw
from command_service.banking.domain.numbers import CANDIDATES, candidate, luhn_valid
from command_service.banking.domain.state import Account, MonthBalances, NumberClaim, Payee, PendingTransfer
from command_service.banking.domain.transfers import decide_external_transfer, decide_internal_transfer, decide_settle
from command_service.banking.domain.upi import decide_upi_credit, decide_upi_debit, decide_upi_refund, decide_upi_settle
from shared.banking.streams import ACCOUNT

STREAM_TYPE = ACCOUNT.name

__all__ = [
    "CANDIDATES",
    "STREAM_TYPE",
    "TRANSITIONS",
    "Account",
    "AccountNotFoundError",
    "AccountNumberExhaustedError",
    "AlreadyChargedError",
    "ChargeRefusedError",
    "ClosingError",
    "IllegalAccountTransitionError",
    "InvalidRequestError",
    "MonthBalances",
    "NumberClaim",
    "Payee",
    "PendingTransfer",
    "PolicyRefusedError",
    "TransferNotFoundError",
    "TransferNotPendingError",
    "average_balance",
    "candidate",
    "decide_close",
    "decide_deposit",
    "decide_external_transfer",
    "decide_freeze",
    "decide_internal_transfer",
    "decide_minimum_balance_charge",
    "decide_open",
    "decide_settle",
    "decide_unfreeze",
    "decide_upi_credit",
    "decide_upi_debit",
    "decide_upi_refund",
    "decide_upi_settle",
    "decide_withdraw",
    "evolve",
    "evolve_claim",
    "fold",
    "luhn_valid",
]
