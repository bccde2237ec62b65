"""Dated policy tables: rules whose figures change over time (a regulator's limits, a fee).

A table is a list of rows — rule name, value (paise or a count), the IST date from which the
row is in force, and a note of where the figure comes from. `value(rule, at)` answers the row in
force at that moment, so a decision taken (or replayed) for a past moment uses the figure of
that moment. A change of policy is a new row with a later `effective_from`, never an edit of an
old row: the table is the history of the policy.

Generic: it names no context. A context declares its own table (e.g. `shared.wallets.policy`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
"""Effective dates are Indian dates: a row from 1 April is in force from 00:00 IST (18:30 UTC the day before)."""


class Unit(StrEnum):
    PAISE = "paise"
    COUNT = "count"
    BASIS_POINTS = "bps"
    """A rate: 1/100 of a percent (600 bps = 6%)."""
    SECONDS = "seconds"
    """A duration (a window, a batch interval)."""


_MAX_DAYS_KEPT = 4096
"""Bound of a table's answers kept by (rule, date): replays over years ask for many dates."""


@dataclass(frozen=True)
class PolicyRow:
    rule: str
    value: int
    unit: Unit
    effective_from: date
    """The first Indian (IST) date on which this row is in force."""
    source: str
    """Where the figure comes from (a circular, a board decision): for the auditor, not the code."""


class PolicyError(ValueError):
    """A table that cannot answer: a malformed table, an unknown rule, or no row in force yet."""


class DuplicatePolicyRowError(PolicyError):
    pass


class UnknownRuleError(PolicyError):
    pass


class NoRowInForceError(PolicyError):
    pass


class PolicyTable:
    """Rows by rule, each rule's rows ordered by `effective_from`. Refused when built: two rows of
    one rule from the same date (which one would be in force?) and negative values."""

    def __init__(self, rows: Iterable[PolicyRow], zone: ZoneInfo = IST) -> None:
        self.zone = zone
        self._rows: dict[str, list[PolicyRow]] = {}
        self._in_force: dict[tuple[str, date], PolicyRow] = {}
        """Answers by (rule, IST date): rows never change once the table is built."""
        self._last_day: tuple[datetime, date] | None = None
        for row in rows:
            if row.value < 0:
                raise PolicyError(f"rule {row.rule!r} from {row.effective_from}: negative value {row.value}")
            same_rule = self._rows.setdefault(row.rule, [])
            if any(other.effective_from == row.effective_from for other in same_rule):
                raise DuplicatePolicyRowError(
                    f"rule {row.rule!r} has two rows from {row.effective_from}: add a row with a later date instead"
                )
            same_rule.append(row)
        for same_rule in self._rows.values():
            same_rule.sort(key=lambda r: r.effective_from)

    @property
    def rules(self) -> list[str]:
        return sorted(self._rows)

    @property
    def rows(self) -> list[PolicyRow]:
        return [row for rule in self.rules for row in self._rows[rule]]

    def row(self, rule: str, at: datetime) -> PolicyRow:
        """The row of `rule` in force at `at` (timezone-aware; compared as an IST date)."""
        if at.tzinfo is None:
            raise PolicyError(f"rule {rule!r}: give an aware datetime, not {at!r}")
        last = self._last_day
        if last is not None and last[0] is at:
            day = last[1]  # one decision asks for several rules at one moment
        else:
            day = at.astimezone(self.zone).date()
            self._last_day = (at, day)
        found = self._in_force.get((rule, day))
        if found is not None:
            return found
        rows = self._rows.get(rule)
        if rows is None:
            raise UnknownRuleError(f"no rule {rule!r} in the policy table; known: {', '.join(self.rules)}")
        in_force = [r for r in rows if r.effective_from <= day]
        if not in_force:
            raise NoRowInForceError(f"rule {rule!r} has no row in force on {day} (first from {rows[0].effective_from})")
        if len(self._in_force) >= _MAX_DAYS_KEPT:
            self._in_force.clear()
        self._in_force[(rule, day)] = in_force[-1]
        return in_force[-1]

    def value(self, rule: str, at: datetime) -> int:
        return self.row(rule, at).value

    def require(self, rules: Iterable[str]) -> None:
        """Raise `UnknownRuleError` unless every rule is in the table: called at start-up, so a
        missing rule fails the service, not the first customer it applies to."""
        missing = sorted(set(rules) - set(self._rows))
        if missing:
            raise UnknownRuleError(f"the policy table lacks {', '.join(missing)}")
