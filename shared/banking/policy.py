"""The banking context's rules: the one place their figures live, as dated rows of one table
(`shared.policy`). A change is a new row with its own `effective_from`, never an edit, so a
decision replayed for an old moment applies the figure of that moment. No code outside this
table holds a regulatory figure or a tariff.

Which rules apply to which movement (decided here, tested in tests/unit/banking):

- A credit is a deposit, an internal transfer received or a UPI payment received. On a BSBD
  account they count towards the financial year's credits and keep the balance within its cap. A returned transfer is no
  new credit (the customer's own money coming back): it is never refused and counts nowhere.
- A debit is a withdrawal, an external transfer (when it is initiated), an internal transfer
  sent or a UPI payment sent. None from a frozen or closed account, none beyond the balance (no
  overdraft); on a BSBD account they count towards the month's debits. A returned transfer gives back what it
  took of its month's debits.
- Every transfer, internal or external, to a beneficiary (IFSC + account number) first paid
  less than the window ago is capped by what is left of the first window's maximum. A
  returned transfer does not give that back.
- RTGS has a floor per transaction (a refusal names `minimum_paise`), IMPS a ceiling.
- The minimum-balance charge (SAVINGS only) is levied for an IST month that has ended, on the
  month's average of end-of-day balances (IST days; from the opening day in the month it was
  opened): the shortfall under the required average times the rate, at most the maximum, and
  never more than the balance (the rest is waived, never owed: RBI's 2014 circular forbids a
  balance turned negative by this charge).
- NEFT settles in batches of `NEFT_BATCH` seconds, counted from 00:00 IST.

Figures are the RBI's where a regulator sets them (cited per row) and Bahi's board-approved
schedule of charges and risk policy where a bank sets them. Rules that are not figures and
never change (no overdraft, the status rules, the charge on SAVINGS only) are named below too
(`INVARIANTS`): a refusal names its rule the same way (422 with `rule`), but they are not rows.
"""

from __future__ import annotations

from datetime import date

from shared.banking.values import AccountType
from shared.policy import PolicyRow, PolicyTable, Unit

RTGS_MIN = "rtgs.min_paise"
IMPS_MAX = "imps.max_paise"
NEFT_BATCH = "neft.batch_seconds"
NEW_PAYEE_WINDOW = "new_payee.window_seconds"
NEW_PAYEE_WINDOW_MAX = "new_payee.first_window_max_paise"
BSBD_BALANCE = "bsbd.balance_max_paise"
BSBD_CREDITS_PER_FY = "bsbd.credits_per_fy_max_paise"
BSBD_DEBITS_PER_MONTH = "bsbd.debits_per_month_max_paise"
SAVINGS_MIN_AVERAGE = "savings.min_average_balance_paise"
SAVINGS_CHARGE_RATE = "savings.min_balance_charge_bps"
SAVINGS_CHARGE_MAX = "savings.min_balance_charge_max_paise"

NO_OVERDRAFT = "no_overdraft"
FROZEN_NO_DEBIT = "frozen_no_debit"
CLOSED_NO_DEBIT = "closed_no_debit"
CLOSED_NO_CREDIT = "closed_no_credit"
CHARGE_SAVINGS_ONLY = "min_balance_charge.savings_only"
INVARIANTS = (NO_OVERDRAFT, FROZEN_NO_DEBIT, CLOSED_NO_DEBIT, CLOSED_NO_CREDIT, CHARGE_SAVINGS_ONLY)

CHARGED_TYPES = frozenset({AccountType.SAVINGS})
"""The account types a minimum-balance charge applies to (BSBD: never, by RBI's rules)."""


def _rupees(rupees: int) -> int:
    return rupees * 100


_KYC_MD = "RBI Master Direction - Know Your Customer, 25 Feb 2016 (as updated), small accounts"
_TARIFF = "Bahi schedule of charges (board-approved); RBI circular of 20 Nov 2014 on minimum-balance charges"
_RISK = "Bahi fraud-risk policy (board-approved): cooling period for a new beneficiary"

ROWS: tuple[PolicyRow, ...] = (
    PolicyRow(RTGS_MIN, _rupees(2_00_000), Unit.PAISE, date(2013, 10, 19), "RBI RTGS System Regulations, 2013"),
    PolicyRow(
        IMPS_MAX,
        _rupees(5_00_000),
        Unit.PAISE,
        date(2021, 10, 8),
        "RBI Statement on Developmental and Regulatory Policies, 8 Oct 2021 (IMPS limit Rs 2 lakh -> Rs 5 lakh)",
    ),
    PolicyRow(NEFT_BATCH, 30 * 60, Unit.SECONDS, date(2019, 12, 16), "RBI: NEFT 24x7 in 48 half-hourly batches"),
    PolicyRow(NEW_PAYEE_WINDOW, 24 * 3600, Unit.SECONDS, date(2021, 4, 1), _RISK),
    PolicyRow(NEW_PAYEE_WINDOW_MAX, _rupees(50_000), Unit.PAISE, date(2021, 4, 1), _RISK),
    PolicyRow(BSBD_BALANCE, _rupees(50_000), Unit.PAISE, date(2016, 2, 25), f"{_KYC_MD}: balance at any time"),
    PolicyRow(BSBD_CREDITS_PER_FY, _rupees(1_00_000), Unit.PAISE, date(2016, 2, 25), f"{_KYC_MD}: credits a year"),
    PolicyRow(BSBD_DEBITS_PER_MONTH, _rupees(10_000), Unit.PAISE, date(2016, 2, 25), f"{_KYC_MD}: debits a month"),
    PolicyRow(SAVINGS_MIN_AVERAGE, _rupees(10_000), Unit.PAISE, date(2021, 4, 1), _TARIFF),
    PolicyRow(SAVINGS_CHARGE_RATE, 600, Unit.BASIS_POINTS, date(2021, 4, 1), f"{_TARIFF}: 6% of the shortfall"),
    PolicyRow(SAVINGS_CHARGE_MAX, _rupees(500), Unit.PAISE, date(2021, 4, 1), _TARIFF),
)

FIGURES = (
    RTGS_MIN,
    IMPS_MAX,
    NEFT_BATCH,
    NEW_PAYEE_WINDOW,
    NEW_PAYEE_WINDOW_MAX,
    BSBD_BALANCE,
    BSBD_CREDITS_PER_FY,
    BSBD_DEBITS_PER_MONTH,
    SAVINGS_MIN_AVERAGE,
    SAVINGS_CHARGE_RATE,
    SAVINGS_CHARGE_MAX,
)
"""Every rule the banking domain reads from a table: a table lacking one is refused at import."""

BANK_POLICY = PolicyTable(ROWS)
BANK_POLICY.require(FIGURES)
