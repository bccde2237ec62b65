"""The banking context's value types, as every service sees them: account types and statuses,
deposit modes, payment rails, transfer outcomes, statement kinds, and the request patterns of
an account's fields (IFSC, account numbers)."""

from __future__ import annotations

from enum import StrEnum

IFSC_PATTERN = r"^[A-Z]{4}0[A-Z0-9]{6}$"
"""An IFSC: four capital letters (the bank), a 0 (reserved), six capital letters or digits (the
branch), e.g. HDFC0001234. Lower case is refused, not corrected: the code is printed in capitals
on every cheque leaf and passbook, so lower case means it was typed from somewhere else."""
ACCOUNT_NUMBER_PATTERN = r"^[0-9]{9,18}$"
"""An Indian bank account number: 9 to 18 digits (banks choose their own length)."""
ACCOUNT_NUMBER_DIGITS = 14
"""The length of the account numbers this bank gives (`command_service.banking.domain.numbers`)."""
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
"""An IST calendar month, as periods name it: "2026-11"."""
MAX_PAISE = 2**53 - 1
"""A storage bound, not a rule: the largest integer every JSON reader keeps exactly."""


class AccountType(StrEnum):
    SAVINGS = "SAVINGS"
    CURRENT = "CURRENT"
    BSBD = "BSBD"
    """Basic Savings Bank Deposit account: no minimum balance, with the limits of a small account."""


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    """Takes credits, no debits (a court order, a fraud alert, a KYC lapse)."""
    CLOSED = "CLOSED"
    """Final: takes nothing."""


class DepositMode(StrEnum):
    CASH = "CASH"
    TRANSFER = "TRANSFER"
    CHEQUE = "CHEQUE"


class Rail(StrEnum):
    NEFT = "NEFT"
    """Settled in half-hourly batches."""
    RTGS = "RTGS"
    """Gross, at once; a floor per transaction."""
    IMPS = "IMPS"
    """Immediate; a ceiling per transaction."""
    INTERNAL = "INTERNAL"
    """Between two accounts of this bank: one atomic append to both."""


EXTERNAL_RAILS = (Rail.NEFT, Rail.RTGS, Rail.IMPS)


class TransferStatus(StrEnum):
    PENDING = "PENDING"
    """Debited, with the clearing: settled or returned later."""
    SETTLED = "SETTLED"
    RETURNED = "RETURNED"
    """The clearing sent it back: credited back to the account, with the reason."""
    COMPLETED = "COMPLETED"
    """An internal transfer: both sides in one append."""


class Outcome(StrEnum):
    """What the clearing answered for an external transfer."""

    SETTLED = "SETTLED"
    RETURNED = "RETURNED"


class StatementKind(StrEnum):
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    TRANSFER_OUT = "TRANSFER_OUT"
    """An external transfer, debited when initiated."""
    TRANSFER_RETURN = "TRANSFER_RETURN"
    """An external transfer the clearing returned, credited back."""
    INTERNAL_OUT = "INTERNAL_OUT"
    INTERNAL_IN = "INTERNAL_IN"
    CHARGE = "CHARGE"
    """A minimum-balance charge."""
    UPI_OUT = "UPI_OUT"
    """A UPI payment from a VPA linked to the account."""
    UPI_IN = "UPI_IN"
    UPI_REVERSAL = "UPI_REVERSAL"
    """A UPI payment that left Bahi and failed (declined, or deemed and reversed), credited back."""


STATEMENT_KINDS: tuple[str, ...] = tuple(kind.value for kind in StatementKind)
