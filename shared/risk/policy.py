"""The risk context's thresholds: dated rows of one table (`shared.policy`), read at the event's
own time (`occurred_at`), never at the wall clock's, so replaying the events applies the row that
was in force when the money moved. A change is a new row with its own `effective_from`.

The figures are Bahi's fraud-risk policy (an issuer's own choice, not a regulator's), except the
caps the near-cap rules compare with: those are the upi and banking tables' own rows
(`upi.new_vpa.first_window_max_paise`, `new_payee.first_window_max_paise`), read from them, so a
change of the cap moves the alert with it. The structuring rows mirror the PML Rules' cash figures
(the compliance table holds the CTR's own).

How each rule reads them: `shared.risk.rules`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from shared.policy import NoRowInForceError, PolicyRow, PolicyTable, Unit

VELOCITY_WINDOWS = ("5m", "1h", "24h")
"""The velocity windows; each has a `_seconds`, a `_max_count` and a `_max_paise` row."""


def velocity_rule(window: str, figure: str) -> str:
    return f"risk.velocity.{window}.{figure}"


VELOCITY: dict[str, dict[str, str]] = {
    w: {f: velocity_rule(w, f) for f in ("seconds", "max_count", "max_paise")} for w in VELOCITY_WINDOWS
}
"""The velocity rows' names by window and figure."""


LARGE_FIRST_PAYEE_MIN = "risk.large_first_payee.min_paise"
NEAR_CAP_BPS = "risk.near_cap.bps"
PASS_THROUGH_WINDOW = "risk.pass_through.window_seconds"
PASS_THROUGH_MIN_PAYERS = "risk.pass_through.min_payers"
PASS_THROUGH_MIN_IN = "risk.pass_through.min_in_paise"
PASS_THROUGH_OUT_BPS = "risk.pass_through.out_bps"
DORMANT_AFTER = "risk.dormant.after_seconds"
DORMANT_MIN = "risk.dormant.min_paise"
CASH_ITEM_UNDER = "risk.structuring.item_under_paise"
SPLIT_BAND_FROM = "risk.structuring.split_band_from_paise"
SPLIT_WINDOW = "risk.structuring.split_window_seconds"
SPLIT_MIN_COUNT = "risk.structuring.split_min_count"
MONTH_TOTAL_MAX = "risk.structuring.month_total_max_paise"
EPISODE = "risk.alert.episode_seconds"

_FROM = date(2026, 1, 1)
_BAHI = "Bahi fraud-risk policy v1 (board approved); thresholds tuned on the scenario of tests/support/risk_scenario.py"
_PML = "PML Rules 2005, rule 3(1)(b)-(c): cash over ₹10,00,000 a month; ₹50,000 the PAN / reporting line"

_VELOCITY = {
    "5m": (300, 5, 50_000_00),
    "1h": (3_600, 10, 1_00_000_00),
    "24h": (86_400, 25, 2_00_000_00),
}

RISK_POLICY = PolicyTable(
    [
        *(
            PolicyRow(velocity_rule(window, figure), value, unit, _FROM, _BAHI)
            for window, (seconds, count, paise) in _VELOCITY.items()
            for figure, value, unit in (
                ("seconds", seconds, Unit.SECONDS),
                ("max_count", count, Unit.COUNT),
                ("max_paise", paise, Unit.PAISE),
            )
        ),
        PolicyRow(LARGE_FIRST_PAYEE_MIN, 25_000_00, Unit.PAISE, _FROM, _BAHI),
        PolicyRow(NEAR_CAP_BPS, 8_000, Unit.BASIS_POINTS, _FROM, _BAHI),
        PolicyRow(PASS_THROUGH_WINDOW, 3_600, Unit.SECONDS, _FROM, _BAHI),
        PolicyRow(PASS_THROUGH_MIN_PAYERS, 3, Unit.COUNT, _FROM, _BAHI),
        PolicyRow(PASS_THROUGH_MIN_IN, 10_000_00, Unit.PAISE, _FROM, _BAHI),
        PolicyRow(PASS_THROUGH_OUT_BPS, 8_000, Unit.BASIS_POINTS, _FROM, _BAHI),
        PolicyRow(DORMANT_AFTER, 180 * 86_400, Unit.SECONDS, _FROM, _BAHI),
        PolicyRow(DORMANT_MIN, 10_000_00, Unit.PAISE, _FROM, _BAHI),
        PolicyRow(CASH_ITEM_UNDER, 50_000_00, Unit.PAISE, _FROM, _PML),
        PolicyRow(SPLIT_BAND_FROM, 45_000_00, Unit.PAISE, _FROM, _BAHI),
        PolicyRow(SPLIT_WINDOW, 7 * 86_400, Unit.SECONDS, _FROM, _BAHI),
        PolicyRow(SPLIT_MIN_COUNT, 3, Unit.COUNT, _FROM, _BAHI),
        PolicyRow(MONTH_TOTAL_MAX, 10_00_000_00, Unit.PAISE, _FROM, _PML),
        PolicyRow(EPISODE, 86_400, Unit.SECONDS, _FROM, _BAHI),
    ]
)

FIGURES = tuple(RISK_POLICY.rules)


@lru_cache(maxsize=65_536)
def figure(table: PolicyTable, rule: str, day: date) -> int:
    """`table`'s figure of `rule` in force on the IST date `day`: rows are in force by IST date, so
    one look-up per rule and day serves every event of that day (a fold reads dozens per event)."""
    return table.value(rule, datetime.combine(day, time(12), tzinfo=table.zone))


@lru_cache(maxsize=4_096)
def in_force(day: date) -> bool:
    """Every row of the risk table has a row in force on `day` (before its first rows: no rule applies)."""
    try:
        return all(figure(RISK_POLICY, rule, day) >= 0 for rule in FIGURES)
    except NoRowInForceError:
        return False
