"""STR deadlines in IST working days (weekends and the policy's holidays skipped), from the
escalation's event time; the CTR's due date; the retention horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.compliance.deadlines import ctr_due_date, is_working_day, retention, str_due_date
from shared.compliance.policy import (
    COMPLIANCE_POLICY,
    CTR_DUE_DAY,
    HOLIDAYS,
    RETENTION_PMLA_YEARS,
    RETENTION_PPI_YEARS,
    STR_WORKING_DAYS,
    Holiday,
)

AT = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)


def count_working_days(start: date, end: date, holidays: tuple[Holiday, ...] = HOLIDAYS) -> int:
    """Working days after `start` up to `end` inclusive, counted one by one (the test's own oracle)."""
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(date.fromordinal(start.toordinal() + n), holidays)
    )


def test_the_str_is_due_the_seventh_working_day_after_the_escalation() -> None:
    due = str_due_date(AT)
    days = COMPLIANCE_POLICY.value(STR_WORKING_DAYS, AT)
    assert count_working_days(date(2026, 11, 2), due) == days
    assert is_working_day(due)
    assert due == date(2026, 11, 12)  # Mon 2 Nov: 3-6, (7-8 weekend), 9 Nov a holiday in the table, 10, 11, 12


def test_without_the_holiday_it_is_a_day_earlier() -> None:
    none: tuple[Holiday, ...] = ()
    assert str_due_date(AT, none) == date(2026, 11, 11)


def test_the_ist_date_counts_not_the_utc_date() -> None:
    # 19:00 UTC on Thursday 5 Nov is 00:30 IST on Friday 6 Nov: counting starts after the Friday
    late = datetime(2026, 11, 5, 19, 0, tzinfo=UTC)
    assert str_due_date(late, ()) == date(2026, 11, 17)
    assert str_due_date(datetime(2026, 11, 5, 18, 0, tzinfo=UTC), ()) == date(2026, 11, 16)


def test_ctr_is_due_on_the_policy_day_of_the_next_month() -> None:
    day = COMPLIANCE_POLICY.value(CTR_DUE_DAY, AT)
    assert ctr_due_date("2026-11") == date(2026, 12, day)
    assert ctr_due_date("2026-12") == date(2027, 1, day)


def test_retention_takes_the_longer_horizon() -> None:
    horizon = retention("2026-11")
    pmla = COMPLIANCE_POLICY.value(RETENTION_PMLA_YEARS, AT)
    ppi = COMPLIANCE_POLICY.value(RETENTION_PPI_YEARS, AT)
    assert horizon["years"] == max(pmla, ppi) and horizon["pmla_years"] == pmla and horizon["ppi_years"] == ppi
    assert horizon["keep_until"] == f"{2026 + max(pmla, ppi)}-12-01"
