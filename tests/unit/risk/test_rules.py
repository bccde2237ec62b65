"""Each rule at its boundary, in event time: the figures come from the policy tables (never
written here), and a window holds a payment exactly its length before and not one a second
more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.banking import policy as bank_policy
from shared.banking.policy import BANK_POLICY
from shared.risk import policy as p
from shared.risk import rules
from shared.risk.movements import Direction, Movement, micros
from shared.risk.policy import RISK_POLICY
from shared.risk.values import Rule
from shared.upi import policy as upi_policy
from shared.upi.policy import UPI_POLICY

T = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


def fig(rule: str, table=RISK_POLICY) -> int:  # type: ignore[no-untyped-def]
    return table.value(rule, T)


def out(paise: int, at: datetime = T, payee: str | None = "payee@bahi", *, cash: bool = False, bank: bool = False):  # type: ignore[no-untyped-def]
    return Movement(Direction.OUT, paise, at, payee, cash, "AccountUpiDebited", new_payee_window=bank)


def cash_in(paise: int, at: datetime = T) -> Movement:
    return Movement(Direction.IN, paise, at, None, True, "AccountDeposited")


def test_velocity_counts_a_payment_exactly_five_minutes_back_and_not_one_second_more() -> None:
    window = timedelta(seconds=fig(p.velocity_rule("5m", "seconds")))
    count = fig(p.velocity_rule("5m", "max_count"))
    small = 100_00
    inside = [[micros(T - window), small]] + [[micros(T - timedelta(seconds=i + 1)), small] for i in range(count - 1)]
    hit = rules.velocity(inside, out(small))
    assert hit is not None and hit.rule is Rule.VELOCITY
    assert {"window": "5m", "count": count + 1, "amount_paise": small * (count + 1)} in hit.detail["windows"]
    outside = [[micros(T - window - timedelta(seconds=1)), small], *inside[1:]]
    hit = rules.velocity(outside, out(small))
    assert hit is None or all(b["window"] != "5m" for b in hit.detail["windows"])


def test_velocity_on_amount_is_over_the_row_not_at_it() -> None:
    cap = fig(p.velocity_rule("5m", "max_paise"))
    earlier = [[micros(T - timedelta(minutes=1)), cap - 1_00]]
    assert rules.velocity(earlier, out(1_00)) is None  # exactly at the amount
    hit = rules.velocity(earlier, out(1_01))
    assert hit is not None and hit.detail["windows"][0]["window"] == "5m"


def test_velocity_ignores_cash_and_credits() -> None:
    many = [[micros(T - timedelta(seconds=i)), 1_00] for i in range(50)]
    assert rules.velocity(many, out(1_00, cash=True)) is None
    assert rules.velocity(many, cash_in(1_00)) is None


def test_large_first_payee_from_its_amount_and_only_the_first_time() -> None:
    floor = fig(p.LARGE_FIRST_PAYEE_MIN)
    assert rules.large_first_payee(False, out(floor - 1)) is None
    hit = rules.large_first_payee(False, out(floor))
    assert hit is not None and hit.detail == {"payee": "payee@bahi", "amount_paise": floor}
    assert rules.large_first_payee(True, out(floor)) is None


def test_new_vpa_near_cap_from_the_share_of_the_upi_cap() -> None:
    cap = fig(upi_policy.NEW_VPA_WINDOW_MAX, UPI_POLICY)
    near = cap * fig(p.NEAR_CAP_BPS) // 10_000
    assert rules.new_vpa_near_cap(True, near - 1_00, out(99)) is None
    hit = rules.new_vpa_near_cap(True, near - 1_00, out(1_00))
    assert hit is not None and hit.detail == {"window_paise": near, "cap_paise": cap}
    assert rules.new_vpa_near_cap(False, near, out(cap)) is None  # outside the window: not new


def test_new_payee_near_cap_within_the_bank_window_only() -> None:
    cap = fig(bank_policy.NEW_PAYEE_WINDOW_MAX, BANK_POLICY)
    window = timedelta(seconds=fig(bank_policy.NEW_PAYEE_WINDOW, BANK_POLICY))
    near = cap * fig(p.NEAR_CAP_BPS) // 10_000
    hit = rules.new_payee_near_cap(None, 0, out(near, bank=True))
    assert hit is not None and hit.rule is Rule.NEW_PAYEE_NEAR_CAP
    assert rules.new_payee_near_cap(None, 0, out(near - 1, bank=True)) is None
    first = micros(T - window + timedelta(seconds=1))
    assert rules.new_payee_near_cap(first, near - 1, out(1, bank=True)) is not None
    assert rules.new_payee_near_cap(micros(T - window), near - 1, out(1, bank=True)) is None  # window over
    assert rules.new_payee_near_cap(None, 0, out(near)) is None  # not a bank transfer


def _pass_through_inputs(gap: timedelta) -> tuple[list[list[object]], int]:
    payers = fig(p.PASS_THROUGH_MIN_PAYERS)
    each = -(-fig(p.PASS_THROUGH_MIN_IN) // payers)
    ins: list[list[object]] = [[micros(T - gap), "IN", each, f"payer{i}@bahi"] for i in range(payers)]
    return ins, each * payers


def test_pass_through_within_the_hour_from_enough_payers_and_share() -> None:
    window = timedelta(seconds=fig(p.PASS_THROUGH_WINDOW))
    ins, total = _pass_through_inputs(window)
    share = -(-total * fig(p.PASS_THROUGH_OUT_BPS) // 10_000)
    hit = rules.pass_through(ins, out(share))
    assert hit is not None and hit.detail == {"payers": len(ins), "in_paise": total, "out_paise": share}
    assert rules.pass_through(ins, out(share - 1)) is None
    late, _ = _pass_through_inputs(window + timedelta(seconds=1))
    assert rules.pass_through(late, out(share)) is None
    assert rules.pass_through(ins[1:], out(total)) is None  # one payer too few


def test_dormant_from_the_dormancy_period_and_amount() -> None:
    idle = timedelta(seconds=fig(p.DORMANT_AFTER))
    floor = fig(p.DORMANT_MIN)
    hit = rules.dormant(micros(T - idle), out(floor))
    assert hit is not None and hit.detail["idle_days"] == idle.days
    assert rules.dormant(micros(T - idle + timedelta(seconds=1)), out(floor)) is None
    assert rules.dormant(micros(T - idle), out(floor - 1)) is None


def test_structuring_split_in_the_band_within_the_window() -> None:
    band, under = fig(p.SPLIT_BAND_FROM), fig(p.CASH_ITEM_UNDER)
    window = timedelta(seconds=fig(p.SPLIT_WINDOW))
    need = fig(p.SPLIT_MIN_COUNT)
    earlier = [[micros(T - window), "IN", band]] + [[micros(T - timedelta(days=1)), "IN", under - 1]] * (need - 2)
    hit = rules.structuring_split(earlier, cash_in(under - 1))
    assert hit is not None and hit.detail == {"direction": "IN", "count": need}
    assert rules.structuring_split(earlier, cash_in(under)) is None  # at the line: not under it
    assert rules.structuring_split(earlier, cash_in(band - 1)) is None  # under the band
    stale = [[micros(T - window - timedelta(seconds=1)), "IN", band], *earlier[1:]]
    assert rules.structuring_split(stale, cash_in(band)) is None
    withdrawals = [[t, "OUT", a] for t, _, a in earlier]
    assert rules.structuring_split(withdrawals, cash_in(band)) is None  # the other direction


def test_structuring_month_over_the_maximum_from_items_under_the_line() -> None:
    top, under = fig(p.MONTH_TOTAL_MAX), fig(p.CASH_ITEM_UNDER)
    assert rules.structuring_month(top - 1_00, cash_in(1_00)) is None  # exactly at it
    hit = rules.structuring_month(top - 1_00, cash_in(1_01))
    assert hit is not None and hit.detail == {"direction": "IN", "month_paise": top + 1}
    assert rules.structuring_month(top, cash_in(under)) is None  # an item at the line is not counted
