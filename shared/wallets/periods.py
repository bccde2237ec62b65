"""The periods RBI limits count in: the calendar month and the financial year (April to March),
both as Indian dates. Times are stored in UTC; 31 March 18:30 UTC is already 1 April in India."""

from __future__ import annotations

from datetime import datetime

from shared.policy import IST


def _ist(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"periods are computed from aware datetimes, not {at!r}")
    return at.astimezone(IST)


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
