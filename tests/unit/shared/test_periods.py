"""IST calendar months and Indian financial years, from UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.periods import day_key, fy_key, month_key


def test_31_march_18_30_utc_is_1_april_in_india_a_new_month_and_financial_year() -> None:
    before = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)
    after = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    assert (month_key(before), fy_key(before), day_key(before)) == ("2025-03", "FY2024-25", "2025-03-31")
    assert (month_key(after), fy_key(after), day_key(after)) == ("2025-04", "FY2025-26", "2025-04-01")


def test_the_financial_year_runs_april_to_march() -> None:
    assert fy_key(datetime(2025, 1, 15, tzinfo=UTC)) == "FY2024-25"
    assert fy_key(datetime(2024, 4, 1, tzinfo=UTC)) == "FY2024-25"
    assert fy_key(datetime(1999, 12, 31, tzinfo=UTC)) == "FY1999-00"
