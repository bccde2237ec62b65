"""IST calendar months and Indian financial years, from UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.periods import day_key, fy_key, ist_time, month_key


def test_31_march_18_30_utc_is_1_april_in_india_a_new_month_and_financial_year() -> None:
    before = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)
    after = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    assert (month_key(before), fy_key(before), day_key(before)) == ("2025-03", "FY2024-25", "2025-03-31")
    assert (month_key(after), fy_key(after), day_key(after)) == ("2025-04", "FY2025-26", "2025-04-01")


def test_the_financial_year_runs_april_to_march() -> None:
    assert fy_key(datetime(2025, 1, 15, tzinfo=UTC)) == "FY2024-25"
    assert fy_key(datetime(2024, 4, 1, tzinfo=UTC)) == "FY2024-25"
    assert fy_key(datetime(1999, 12, 31, tzinfo=UTC)) == "FY1999-00"


def test_a_moment_asked_for_again_and_moments_in_turn_get_their_own_periods() -> None:
    """`_ist` keeps the last conversion: the same object again, and others in turn, stay right."""
    before = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)
    after = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    for at, expected in [(before, "2025-03"), (before, "2025-03"), (after, "2025-04"), (before, "2025-03")]:
        assert month_key(at) == expected
    assert (day_key(after), fy_key(after), ist_time(after).hour) == ("2025-04-01", "FY2025-26", 0)
    assert ist_time(before).utcoffset() == timedelta(hours=5, minutes=30)
