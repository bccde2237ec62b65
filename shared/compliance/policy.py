"""The compliance context's figures (PML Rules 2005 and the RBI's KYC Master Direction), as dated
rows of one table (`shared.policy`), and the holidays the STR deadline skips.

- CTR: a customer whose cash deposits, or whose cash withdrawals, in an IST calendar month sum
  over `ctr.cash_month_max_paise` is on the month's report; it is due by day `ctr.due_day` of the
  next month. Every cash item is counted and listed, the small ones too (the rules allow leaving
  out items under ₹50,000; Bahi lists them, so the report shows how the sum was reached).
- STR: due `str.working_days` IST working days after the day the suspicion was formed (the
  alert's escalation), skipping Saturdays, Sundays and `HOLIDAYS`.
- Retention: money events are never erased; the reports state the horizon, the longer of PMLA's
  five years and the PPI logs' ten.

The holiday list is configuration as a table: a holiday is a row with its date and source (a
year's list is added when published; a correction is a new row). A deadline is computed when the
case is opened and recorded in its event, so a later change of the list never moves a past one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.policy import PolicyRow, PolicyTable, Unit

CTR_CASH_MONTH_MAX = "ctr.cash_month_max_paise"
CTR_DUE_DAY = "ctr.due_day"
STR_WORKING_DAYS = "str.working_days"
RETENTION_PMLA_YEARS = "retention.pmla_years"
RETENTION_PPI_YEARS = "retention.ppi_years"

_PML = "PML (Maintenance of Records) Rules 2005, rules 3 and 8; RBI KYC Master Direction 2016, section 28"
_PPI = "RBI Master Direction on PPIs 2021, section 16 (logs kept 10 years)"
_FROM = date(2017, 6, 1)

COMPLIANCE_POLICY = PolicyTable(
    [
        PolicyRow(CTR_CASH_MONTH_MAX, 10_00_000_00, Unit.PAISE, _FROM, _PML),
        PolicyRow(CTR_DUE_DAY, 15, Unit.COUNT, _FROM, _PML),
        PolicyRow(STR_WORKING_DAYS, 7, Unit.COUNT, _FROM, _PML),
        PolicyRow(RETENTION_PMLA_YEARS, 5, Unit.COUNT, _FROM, "PMLA 2002, section 12(1)"),
        PolicyRow(RETENTION_PPI_YEARS, 10, Unit.COUNT, date(2021, 8, 27), _PPI),
    ]
)

MONTH_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"
"""A report's month, YYYY-MM (years 1900 to 2999)."""

FIGURES = (CTR_CASH_MONTH_MAX, CTR_DUE_DAY, STR_WORKING_DAYS, RETENTION_PMLA_YEARS, RETENTION_PPI_YEARS)


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    source: str


_NI_2026 = "RBI holidays under the Negotiable Instruments Act, 2026 (Mumbai); to be confirmed by compliance"

HOLIDAYS: tuple[Holiday, ...] = (
    Holiday(date(2026, 1, 26), "Republic Day", _NI_2026),
    Holiday(date(2026, 3, 4), "Holi", _NI_2026),
    Holiday(date(2026, 4, 3), "Good Friday", _NI_2026),
    Holiday(date(2026, 5, 1), "Maharashtra Day", _NI_2026),
    Holiday(date(2026, 8, 15), "Independence Day", _NI_2026),
    Holiday(date(2026, 10, 2), "Gandhi Jayanti", _NI_2026),
    Holiday(date(2026, 11, 9), "Diwali (Balipratipada)", _NI_2026),
    Holiday(date(2026, 11, 24), "Guru Nanak Jayanti", _NI_2026),
    Holiday(date(2026, 12, 25), "Christmas", _NI_2026),
)
