"""The PPI rules of the wallets context: the one place their figures live, as dated rows.

Figures are RBI's Master Direction on Prepaid Payment Instruments (27 August 2021, as updated
to 2024); a change is a new row with its own `effective_from`, never an edit, so a decision
replayed for an old moment applies the figure of that moment. No code outside this table
holds a regulatory figure.

Which rules apply to which movement (decided here, tested in tests/unit/wallets):

- A load is a top-up, a P2P transfer or a UPI payment received. All count towards a
  minimum-KYC wallet's monthly and financial-year load limits: a limit on what is loaded into a small PPI would
  mean nothing if another wallet could load it past the limit. Only a top-up from CASH counts
  towards the cash-loading limit (a P2P credit is not cash).
- Every credit (top-up, P2P received, merchant refund) keeps the balance within the tier's
  cap: the cap is on what the PPI holds "at any point of time". A refund is not a load (it
  returns the customer's own money, loaded once already), but a refund that would breach the
  cap is refused: the merchant refunds it to the source instead.
- A P2P transfer is refused whole when the receiver's rules refuse its credit; the problem
  names the receiver's rule and its `wallet_id`.
- Minimum-KYC wallets send no P2P transfer (nor a UPI payment to a PERSON's VPA; to a
  MERCHANT's VPA they may) and pay nothing out to a bank (cash-out, closing
  to a bank account): both are rows of value 0, so a change of that policy is a new row.

Rules that are not figures and never change — no overdraft, no debit from a frozen or closed
wallet, no credit to a closed one, refunds within what was captured — are named below too
(`INVARIANTS`): a refusal names its rule the same way (422 with `rule`, `limit_paise`,
`allowed_paise`), but they are not rows.
"""

from __future__ import annotations

from datetime import date

from shared.policy import PolicyRow, PolicyTable, Unit
from shared.wallets.values import KycLevel

MIN_KYC_BALANCE = "min_kyc.balance_max_paise"
MIN_KYC_LOADS_PER_MONTH = "min_kyc.loads_per_month_max_paise"
MIN_KYC_LOADS_PER_FY = "min_kyc.loads_per_fy_max_paise"
MIN_KYC_P2P_OUT = "min_kyc.p2p_out_max_paise"
MIN_KYC_CASH_OUT = "min_kyc.cash_out_max_paise"
FULL_KYC_BALANCE = "full_kyc.balance_max_paise"
CASH_LOADS_PER_MONTH = "cash_loads_per_month_max_paise"

NO_OVERDRAFT = "no_overdraft"
FROZEN_NO_DEBIT = "frozen_no_debit"
CLOSED_NO_DEBIT = "closed_no_debit"
CLOSED_NO_CREDIT = "closed_no_credit"
REFUND_WITHIN_CAPTURED = "refund_within_captured"
INVARIANTS = (NO_OVERDRAFT, FROZEN_NO_DEBIT, CLOSED_NO_DEBIT, CLOSED_NO_CREDIT, REFUND_WITHIN_CAPTURED)

BALANCE_CAP = {KycLevel.MINIMUM: MIN_KYC_BALANCE, KycLevel.FULL: FULL_KYC_BALANCE}
"""The rule capping the balance of each KYC level."""

_MD_2021 = date(2021, 8, 27)
_MD = "RBI Master Direction on Prepaid Payment Instruments, 27 Aug 2021 (as updated to 2024)"


def _rupees(rupees: int) -> int:
    return rupees * 100


ROWS: tuple[PolicyRow, ...] = (
    PolicyRow(MIN_KYC_BALANCE, _rupees(10_000), Unit.PAISE, _MD_2021, f"{_MD}: small PPI, outstanding at any time"),
    PolicyRow(MIN_KYC_LOADS_PER_MONTH, _rupees(10_000), Unit.PAISE, _MD_2021, f"{_MD}: small PPI, loaded per month"),
    PolicyRow(MIN_KYC_LOADS_PER_FY, _rupees(1_20_000), Unit.PAISE, _MD_2021, f"{_MD}: small PPI, loaded per FY"),
    PolicyRow(MIN_KYC_P2P_OUT, 0, Unit.PAISE, _MD_2021, f"{_MD}: small PPI, no funds transfer to other PPIs"),
    PolicyRow(MIN_KYC_CASH_OUT, 0, Unit.PAISE, _MD_2021, f"{_MD}: small PPI, no cash withdrawal or transfer to bank"),
    PolicyRow(FULL_KYC_BALANCE, _rupees(2_00_000), Unit.PAISE, _MD_2021, f"{_MD}: full-KYC PPI, outstanding limit"),
    PolicyRow(CASH_LOADS_PER_MONTH, _rupees(50_000), Unit.PAISE, _MD_2021, f"{_MD}: cash loading per month"),
)

FIGURES = (
    MIN_KYC_BALANCE,
    MIN_KYC_LOADS_PER_MONTH,
    MIN_KYC_LOADS_PER_FY,
    MIN_KYC_P2P_OUT,
    MIN_KYC_CASH_OUT,
    FULL_KYC_BALANCE,
    CASH_LOADS_PER_MONTH,
)
"""Every rule the wallet domain reads from a table: a table lacking one is refused at import."""

PPI_POLICY = PolicyTable(ROWS)
PPI_POLICY.require(FIGURES)
