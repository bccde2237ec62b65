"""The Indian periods that rules and reports count in, from stored UTC times: the IST date, the
calendar month and the financial year (April to March). 31 March 18:30 UTC is already 1 April
in India. Generic: the wallets' load limits and the bank account's limits and charges both
count in these periods."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time

from shared.policy import IST

_last: tuple[datetime, datetime] | None = None
"""The last moment converted and its IST time: one decision asks for the periods of one moment
(its `now`, its event's `occurred_at`) several times over (a day, a month, a year, in several
rules); a conversion is a tz database lookup, a comparison of the same object none."""


def _ist(at: datetime) -> datetime:
    global _last
    last = _last
    if last is not None and last[0] is at:
        return last[1]
    if at.tzinfo is None:
        raise ValueError(f"periods are computed from aware datetimes, not {at!r}")
    local = at.astimezone(IST)
    _last = (at, local)
    return local


def ist_time(at: datetime) -> datetime:
    """The moment in IST (an aware datetime)."""
    return _ist(at)


def ist_date(at: datetime) -> date:
    """The Indian date of a moment."""
    return _ist(at).date()


def month_key(at: datetime) -> str:
    """The IST calendar month: "2025-03"."""
    local = _ist(at)
    return f"{local.year:04d}-{local.month:02d}"


def fy_key(at: datetime) -> str:
    """The Indian financial year, April to March: "FY2024-25" for 1 April 2024 to 31 March 2025."""
    local = _ist(at)
    start = local.year if local.month >= 4 else local.year - 1
    return f"FY{start:04d}-{(start + 1) % 100:02d}"


def day_key(at: datetime) -> str:
    """The IST date: "2025-03-31" (merchant settlements are per Indian business day)."""
    return _ist(at).date().isoformat()


def days_in_month(month: str) -> int:
    """The number of days of a month key ("2024-02": 29)."""
    year, number = (int(part) for part in month.split("-"))
    return calendar.monthrange(year, number)[1]


def month_start(month: str) -> datetime:
    """00:00 IST on the first day of a month key, as an aware datetime (in IST)."""
    year, number = (int(part) for part in month.split("-"))
    return datetime.combine(date(year, number, 1), time(0), tzinfo=IST)
