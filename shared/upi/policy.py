"""The upi context's rules: the one place their figures live, as dated rows of one table
(`shared.policy`). A change is a new row with its own `effective_from`, never an edit.

Which rules apply to which payment (decided here, tested in tests/unit/upi):

- P2P (the payee's VPA is a PERSON's): at most `P2P_PER_TXN` per payment, and at most
  `P2P_PER_DAY` sent by the payer's VPA per IST day (P2P payments of that day, this one
  included). Payments to a MERCHANT VPA (P2M) are not capped by these rows.
- A VPA registered less than `NEW_VPA_WINDOW` seconds ago sends at most `NEW_VPA_WINDOW_MAX`
  in total within that window (every payment it sent, P2P or P2M).
- The payer's account or wallet applies its own context's rules to the debit and the payee's
  to the credit (overdraft, frozen, BSBD, PPI limits): a refusal names that rule and its id.
- Collect requests may be raised only by a MERCHANT VPA (P2P is push only: the rule
  `COLLECT_MERCHANT_ONLY`, not a figure); one lapses `COLLECT_EXPIRY` seconds after it was raised
  (accepting it later is refused; nothing needs to happen for it to lapse).
- A payment leaving Bahi that the switch did not answer (deemed failed) is reversed to the payer
  by T+1: T is the IST calendar day of the payer's debit, and the reversal is due before 00:00
  IST of the day `REVERSAL_TAT_DAYS` + 1 days after T (T+1: the end of the next IST day). A
  reversal recorded at or after that moment is late by the IST days from T+1 to its own IST day
  (00:00 IST of T+2 is one day late), and accrues `LATE_REVERSAL_COMPENSATION` per day late
  (RBI's TAT harmonisation circular). Both are read as in force on the day of the debit.

The in-force dates (1 April 2021) are Bahi's adoption of these rows; compliance should confirm
them and the circulars (a correction is a new row, never an edit).
"""

from __future__ import annotations

from datetime import date

from shared.policy import PolicyRow, PolicyTable, Unit

P2P_PER_TXN = "upi.p2p.per_txn_max_paise"
P2P_PER_DAY = "upi.p2p.per_day_max_paise"
NEW_VPA_WINDOW = "upi.new_vpa.window_seconds"
NEW_VPA_WINDOW_MAX = "upi.new_vpa.first_window_max_paise"
COLLECT_EXPIRY = "upi.collect.expiry_seconds"
REVERSAL_TAT_DAYS = "upi.reversal.tat_days"
LATE_REVERSAL_COMPENSATION = "upi.reversal.late_compensation_per_day_paise"

COLLECT_MERCHANT_ONLY = "upi.collect.merchant_only"
"""Not a figure: only a MERCHANT VPA raises a collect request (a refusal names it as a rule)."""

FIGURES = (
    P2P_PER_TXN,
    P2P_PER_DAY,
    NEW_VPA_WINDOW,
    NEW_VPA_WINDOW_MAX,
    COLLECT_EXPIRY,
    REVERSAL_TAT_DAYS,
    LATE_REVERSAL_COMPENSATION,
)

_NPCI_2021 = "NPCI UPI limits: P2P ₹1,00,000 per transaction and per day (circular to be cited by compliance)"
_COOLING = "NPCI / issuer fraud-risk practice: ₹5,000 in the first 24 hours of a new UPI registration"
_TAT = (
    "RBI/2019-20/67 DPSS.CO.PD No.629/02.01.014/2019-20 of 20 Sep 2019, Harmonisation of TAT and customer"
    " compensation for failed transactions (UPI, account debited but not credited to the beneficiary):"
    " auto-reversal by T+1, Rs 100 per day of delay beyond T+1; in force from 15 Oct 2019"
)
_COLLECT = "Bahi UPI operating policy: a collect request lapses 30 minutes after it was raised"

UPI_POLICY = PolicyTable(
    [
        PolicyRow(P2P_PER_TXN, 100_000_00, Unit.PAISE, date(2021, 4, 1), _NPCI_2021),
        PolicyRow(P2P_PER_DAY, 100_000_00, Unit.PAISE, date(2021, 4, 1), _NPCI_2021),
        PolicyRow(NEW_VPA_WINDOW, 86_400, Unit.SECONDS, date(2021, 4, 1), _COOLING),
        PolicyRow(NEW_VPA_WINDOW_MAX, 5_000_00, Unit.PAISE, date(2021, 4, 1), _COOLING),
        PolicyRow(COLLECT_EXPIRY, 1_800, Unit.SECONDS, date(2021, 4, 1), _COLLECT),
        PolicyRow(REVERSAL_TAT_DAYS, 1, Unit.COUNT, date(2019, 10, 15), _TAT),
        PolicyRow(LATE_REVERSAL_COMPENSATION, 100_00, Unit.PAISE, date(2019, 10, 15), _TAT),
    ]
)
