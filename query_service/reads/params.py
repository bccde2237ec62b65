"""Query inputs every context parses alike, strictly, so that a 422 names the field and says what
is wrong: RFC 3339 moments (a timezone is required: "as of 10:00" is ambiguous between UTC and
IST) and calendar days. Generic: the wallets' and the bank accounts' reads both take them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MOMENT = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d{1,9})?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})?$"
)
_SPACED_OFFSET = re.compile(r" \d{2}:\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InputError(ValueError):
    """An input this API refuses: the 422 names `field`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def moment(field: str, raw: str) -> datetime:
    """An RFC 3339 date-time with its offset ("2025-03-31T18:30:00Z", "2025-04-01T00:00:00+05:30"),
    in UTC."""
    match = _MOMENT.match(raw)
    if match is None:
        if _SPACED_OFFSET.search(raw) and _MOMENT.match(raw[:-6]):
            raise InputError(field, "a '+' in a query string arrives as a space: send the offset as %2B05:30")
        raise InputError(field, "must be an RFC 3339 date-time, e.g. 2025-03-31T18:30:00Z")
    if match["zone"] is None:
        raise InputError(field, "needs a timezone offset (Z or ±hh:mm): a moment without one is ambiguous")
    zone = "+00:00" if match["zone"] in ("Z", "z") else match["zone"]
    fraction = (match["fraction"] or "")[:7]  # microseconds: the precision of Python (and more than MongoDB's)
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{match['time']}{fraction}{zone}")
    except ValueError as exc:
        raise InputError(field, f"not a valid date-time: {exc}") from exc
    return parsed.astimezone(UTC)


def day(field: str, raw: str) -> date:
    """A calendar date, YYYY-MM-DD."""
    if not _DAY.match(raw):
        raise InputError(field, "must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InputError(field, f"not a valid date: {exc}") from exc
