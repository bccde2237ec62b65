"""The generic dated policy table (`shared.policy`) and the PPI figures built on it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.policy import (
    DuplicatePolicyRowError,
    NoRowInForceError,
    PolicyError,
    PolicyRow,
    PolicyTable,
    Unit,
    UnknownRuleError,
)
from shared.wallets import policy as ppi
from tests.support.wallets import rupees

ROWS = [
    PolicyRow("cap", 100, Unit.PAISE, date(2024, 1, 1), "first circular"),
    PolicyRow("cap", 200, Unit.PAISE, date(2024, 4, 1), "second circular"),
    PolicyRow("holds", 3, Unit.COUNT, date(2024, 1, 1), "board note"),
]


def test_the_row_in_force_at_a_moment_is_picked_by_its_ist_date() -> None:
    table = PolicyTable(ROWS)
    # 1 April 2024 begins at 18:30 UTC on 31 March.
    assert table.value("cap", datetime(2024, 3, 31, 18, 29, 59, tzinfo=UTC)) == 100
    assert table.value("cap", datetime(2024, 3, 31, 18, 30, tzinfo=UTC)) == 200
    assert table.row("cap", datetime(2030, 1, 1, tzinfo=UTC)).source == "second circular"
    assert table.value("holds", datetime(2024, 6, 1, tzinfo=UTC)) == 3


def test_a_change_is_a_new_row_and_the_old_one_still_answers_for_its_time() -> None:
    table = PolicyTable([*ROWS, PolicyRow("cap", 50, Unit.PAISE, date(2025, 1, 1), "lowered")])
    assert table.value("cap", datetime(2024, 6, 1, tzinfo=UTC)) == 200
    assert table.value("cap", datetime(2025, 6, 1, tzinfo=UTC)) == 50


def test_two_rows_of_a_rule_from_one_date_are_refused() -> None:
    with pytest.raises(DuplicatePolicyRowError, match="'cap' has two rows from 2024-01-01"):
        PolicyTable([*ROWS, PolicyRow("cap", 300, Unit.PAISE, date(2024, 1, 1), "an edit in disguise")])


def test_unknown_rules_moments_before_the_first_row_and_naive_times_are_refused_clearly() -> None:
    table = PolicyTable(ROWS)
    with pytest.raises(UnknownRuleError, match=r"no rule 'fee'.*known: cap, holds"):
        table.value("fee", datetime(2024, 6, 1, tzinfo=UTC))
    with pytest.raises(NoRowInForceError, match="no row in force on 2023-12-31"):
        table.value("cap", datetime(2023, 12, 31, tzinfo=UTC))
    with pytest.raises(PolicyError, match="aware datetime"):
        table.value("cap", datetime(2024, 6, 1))
    with pytest.raises(UnknownRuleError, match="lacks fee"):
        table.require(["cap", "fee"])
    with pytest.raises(PolicyError, match="negative"):
        PolicyTable([PolicyRow("cap", -1, Unit.PAISE, date(2024, 1, 1), "typo")])


def test_the_ppi_figures() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    figures = {rule: ppi.PPI_POLICY.value(rule, at) for rule in ppi.FIGURES}
    assert figures == {
        ppi.MIN_KYC_BALANCE: rupees(10_000),
        ppi.MIN_KYC_LOADS_PER_MONTH: rupees(10_000),
        ppi.MIN_KYC_LOADS_PER_FY: rupees(1_20_000),
        ppi.MIN_KYC_P2P_OUT: 0,
        ppi.MIN_KYC_CASH_OUT: 0,
        ppi.FULL_KYC_BALANCE: rupees(2_00_000),
        ppi.CASH_LOADS_PER_MONTH: rupees(50_000),
    }
    assert all(row.source.startswith("RBI Master Direction") for row in ppi.PPI_POLICY.rows)


def test_answers_kept_per_date_follow_each_moment_asked_for() -> None:
    """The table keeps its answers by (rule, IST date) and the date of the last moment asked for:
    moments asked for in any order, and one object asked for again, get the row of their date."""
    table = PolicyTable(ROWS)
    before, after = datetime(2024, 3, 31, 18, 29, 59, tzinfo=UTC), datetime(2024, 3, 31, 18, 30, tzinfo=UTC)
    for _ in range(2):
        assert [table.value("cap", at) for at in (before, after, after, before)] == [100, 200, 200, 100]
        assert table.value("holds", after) == 3 and table.value("cap", after) == 200
    with pytest.raises(UnknownRuleError):
        table.value("nope", after)
    with pytest.raises(NoRowInForceError):
        table.value("cap", datetime(2023, 12, 31, 18, 29, tzinfo=UTC))
