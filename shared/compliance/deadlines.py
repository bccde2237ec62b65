"""The compliance deadlines and horizons, in IST, from event times (pure): an STR's due date in
working days, a CTR's due date, the retention horizon."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from shared.compliance.policy import (
    COMPLIANCE_POLICY,
    CTR_DUE_DAY,
    HOLIDAYS,
    RETENTION_PMLA_YEARS,
    RETENTION_PPI_YEARS,
    STR_WORKING_DAYS,
    Holiday,
)
from shared.periods import ist_date, month_start
from shared.policy import NoRowInForceError


def _in_force(rule: str, at: datetime) -> int | None:
    """The row's figure, or None for a rule not in force yet then (the PPI logs' before August 2021)."""
    try:
        return COMPLIANCE_POLICY.value(rule, at)
    except NoRowInForceError:
        return None


def is_working_day(day: date, holidays: Iterable[Holiday] = HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in {h.day for h in holidays}


def str_due_date(escalated_at: datetime, holidays: Iterable[Holiday] = HOLIDAYS) -> date:
    """The `str.working_days`-th IST working day after the escalation's IST date (that day itself
    not counted, whether or not it is a working day)."""
    holidays = tuple(holidays)
    left = COMPLIANCE_POLICY.value(STR_WORKING_DAYS, escalated_at)
    day = ist_date(escalated_at)
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def ctr_due_date(month: str) -> date:
    """Day `ctr.due_day` of the month after `month` (the row in force when the month began)."""
    due_day = COMPLIANCE_POLICY.value(CTR_DUE_DAY, month_start(month))
    return month_start(next_month(month)).date().replace(day=due_day)


def retention(month: str) -> dict[str, object]:
    """The horizon a month's money events are kept for: the longer of PMLA's and the PPI logs'
    (the rows in force at the month's end; None: not in force then), counted from the month's end."""
    end = month_start(next_month(month))
    pmla, ppi = (
        _in_force(rule, end - timedelta(microseconds=1)) for rule in (RETENTION_PMLA_YEARS, RETENTION_PPI_YEARS)
    )
    years = max(pmla or 0, ppi or 0)
    return {
        "pmla_years": pmla,
        "ppi_years": ppi,
        "years": years,
        "keep_until": end.date().replace(year=end.year + years).isoformat(),
        "erasure": "never: money events are immutable; the horizon is the least they are kept",
    }
