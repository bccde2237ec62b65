"""The wallets context's value types, as every service sees them: KYC levels, wallet and
payment statuses, load sources, KYC documents, and the request patterns of a wallet's fields."""

from __future__ import annotations

from enum import StrEnum

MOBILE_PATTERN = r"^[6-9][0-9]{9}$"
"""An Indian mobile number: ten digits, the first 6 to 9 (no +91, no leading 0)."""
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$"
"""A payment network's reference (UPI transaction id, card auth code, bank UTR)."""
MAX_PAISE = 2**53 - 1
"""A storage bound, not a rule: the largest integer every JSON reader keeps exactly."""


class KycLevel(StrEnum):
    MINIMUM = "MINIMUM"
    """A small PPI: mobile number and a self-declaration, OTP-verified."""
    FULL = "FULL"
    """A full-KYC PPI: an officially valid document verified."""


class WalletStatus(StrEnum):
    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    """Takes credits, no debits (a dispute, a fraud alert)."""
    CLOSED = "CLOSED"
    """Final: takes nothing."""


class TopupSource(StrEnum):
    UPI = "UPI"
    CARD = "CARD"
    NETBANKING = "NETBANKING"
    CASH = "CASH"
    """At an agent or a counter: counted against the cash-loading limit as well."""


class DocumentType(StrEnum):
    """Officially valid documents for full KYC."""

    AADHAAR = "AADHAAR"
    PAN = "PAN"
    PASSPORT = "PASSPORT"
    VOTER_ID = "VOTER_ID"
    DRIVING_LICENCE = "DRIVING_LICENCE"
    NREGA_JOB_CARD = "NREGA_JOB_CARD"


class PaymentStatus(StrEnum):
    """A merchant payment from the wallet: paid at once, or held and then settled one way."""

    PAID = "PAID"
    HELD = "HELD"
    CAPTURED = "CAPTURED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


class StatementKind(StrEnum):
    """What a statement entry records (the projector writes it, the query service filters on it)."""

    TOPUP = "TOPUP"
    PAYMENT = "PAYMENT"
    """A direct debit to a merchant."""
    HOLD = "HOLD"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    EXPIRY = "EXPIRY"
    TRANSFER_OUT = "TRANSFER_OUT"
    TRANSFER_IN = "TRANSFER_IN"
    REFUND = "REFUND"
    PAYOUT = "PAYOUT"
    """What a closing wallet paid out to its bank account."""
    UPI_OUT = "UPI_OUT"
    """A UPI payment from a VPA linked to the wallet."""
    UPI_IN = "UPI_IN"
    UPI_REVERSAL = "UPI_REVERSAL"
    """A UPI payment that left Bahi and failed (declined, or deemed and reversed), credited back."""


STATEMENT_KINDS: tuple[str, ...] = tuple(kind.value for kind in StatementKind)
