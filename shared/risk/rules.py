"""The rules: each a small pure function of what the subject's stream showed before (plain lists
of event-time microseconds and paise, as the subject's document keeps them) and the movement now
(`shared.risk.movements.Movement`), answering a `Hit` or None. Thresholds are the risk table's
rows (`shared.risk.policy`) in force at the movement's own time; windows are measured in event
time and are inclusive: a payment exactly 5 minutes before another is within its 5-minute window,
one 5 minutes and 1 second before is not.

A figure "over" a threshold means strictly greater; "near" a cap means at least `risk.near_cap.bps`
of it (80%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.banking import policy as bank_policy
from shared.banking.policy import BANK_POLICY
from shared.policy import PolicyTable
from shared.risk import policy as p
from shared.risk.movements import Direction, Movement
from shared.risk.policy import RISK_POLICY
from shared.risk.values import Rule
from shared.upi import policy as upi_policy
from shared.upi.policy import UPI_POLICY

_US = 1_000_000


@dataclass(frozen=True)
class Hit:
    rule: Rule
    detail: dict[str, Any] = field(default_factory=dict)


def _value(rule: str, m: Movement, table: PolicyTable = RISK_POLICY) -> int:
    """The row in force at the movement's own (IST) date."""
    return p.figure(table, rule, m.day)


def _within(t: int, m: Movement, seconds: int) -> bool:
    return 0 <= m.t - t <= seconds * _US


def _since(m: Movement, seconds: int) -> int:
    """The earliest event time within `seconds` before the movement: `t` is within the window
    when `_since(m, seconds) <= t <= m.t` (the same test as `_within`, inlined where a rule reads a
    subject's whole history: that runs for every event)."""
    return m.t - seconds * _US


def velocity(outs: Sequence[Sequence[int]], m: Movement) -> Hit | None:
    """Payments out (not cash) by this payer in each window ending at this one, this one included:
    more than the window's count, or more than its amount. `outs`: earlier [t, paise]."""
    if m.direction is not Direction.OUT or m.cash:
        return None
    breaches = []
    for window in p.VELOCITY_WINDOWS:
        seconds = _value(p.VELOCITY[window]["seconds"], m)
        since, until = _since(m, seconds), m.t
        amounts = [a for t, a in outs if since <= t <= until] + [m.amount_paise]
        count, total = len(amounts), sum(amounts)
        max_count = _value(p.VELOCITY[window]["max_count"], m)
        max_paise = _value(p.VELOCITY[window]["max_paise"], m)
        if count > max_count or total > max_paise:
            breaches.append({"window": window, "count": count, "amount_paise": total})
    return Hit(Rule.VELOCITY, {"windows": breaches}) if breaches else None


def large_first_payee(paid_before: bool, m: Movement) -> Hit | None:
    """A payment out of at least the row's amount to a payee this subject never paid before."""
    if m.direction is not Direction.OUT or m.counterparty is None or paid_before:
        return None
    if m.amount_paise < _value(p.LARGE_FIRST_PAYEE_MIN, m):
        return None
    return Hit(Rule.LARGE_FIRST_PAYEE, {"payee": m.counterparty, "amount_paise": m.amount_paise})


def _near(total: int, cap: int, m: Movement) -> bool:
    return total * 10_000 >= cap * _value(p.NEAR_CAP_BPS, m)


def new_payee_near_cap(first_paid_t: int | None, paid_in_window: int, m: Movement) -> Hit | None:
    """A bank transfer to a beneficiary first paid less than the bank's new-payee window ago (or
    now): what went to it in the window, this one included, near or over the bank's cap."""
    if not m.new_payee_window or m.counterparty is None:
        return None
    window = _value(bank_policy.NEW_PAYEE_WINDOW, m, BANK_POLICY)
    if first_paid_t is not None and not m.t - first_paid_t < window * _US:
        return None
    total = paid_in_window + m.amount_paise
    cap = _value(bank_policy.NEW_PAYEE_WINDOW_MAX, m, BANK_POLICY)
    if not _near(total, cap, m):
        return None
    return Hit(Rule.NEW_PAYEE_NEAR_CAP, {"payee": m.counterparty, "window_paise": total, "cap_paise": cap})


def new_vpa_near_cap(in_window: bool, sent_in_window: int, m: Movement) -> Hit | None:
    """A payment sent by a VPA in its new-VPA window (the event says so: the upi decision's fact):
    what it sent in the window, this one included, near or over the upi table's cap."""
    if not in_window:
        return None
    total = sent_in_window + m.amount_paise
    cap = _value(upi_policy.NEW_VPA_WINDOW_MAX, m, UPI_POLICY)
    if not _near(total, cap, m):
        return None
    return Hit(Rule.NEW_VPA_NEAR_CAP, {"window_paise": total, "cap_paise": cap})


def pass_through(recent: Sequence[Sequence[Any]], m: Movement) -> Hit | None:
    """Money out such that, within the window ending now, credits came from at least the row's
    number of distinct payers, summing at least its amount, and what went out (this included) is at
    least its share of them. `recent`: earlier [t, direction, paise, counterparty]."""
    if m.direction is not Direction.OUT:
        return None
    seconds = _value(p.PASS_THROUGH_WINDOW, m)
    since, until = _since(m, seconds), m.t
    window = [r for r in recent if since <= r[0] <= until]
    ins = [(r[3], r[2]) for r in window if r[1] == Direction.IN and r[3] is not None]
    payers = sorted({payer for payer, _ in ins})
    total_in = sum(a for _, a in ins)
    total_out = sum(r[2] for r in window if r[1] == Direction.OUT) + m.amount_paise
    if len(payers) < _value(p.PASS_THROUGH_MIN_PAYERS, m) or total_in < _value(p.PASS_THROUGH_MIN_IN, m):
        return None
    if total_out * 10_000 < total_in * _value(p.PASS_THROUGH_OUT_BPS, m):
        return None
    return Hit(Rule.PASS_THROUGH, {"payers": len(payers), "in_paise": total_in, "out_paise": total_out})


def dormant(last_activity_t: int | None, m: Movement) -> Hit | None:
    """A movement of at least the row's amount after no movement for the dormancy period (counted
    from the last movement, or from the opening when there was none)."""
    if last_activity_t is None or m.amount_paise < _value(p.DORMANT_MIN, m):
        return None
    idle = m.t - last_activity_t
    if idle < _value(p.DORMANT_AFTER, m) * _US:
        return None
    return Hit(Rule.DORMANT, {"idle_days": idle // (86_400 * _US), "amount_paise": m.amount_paise})


def structuring_split(near_items: Sequence[Sequence[Any]], m: Movement) -> Hit | None:
    """A cash item just under the line (from the band's floor, under the item threshold): with the
    earlier ones of the same direction in the window, at least the row's count.
    `near_items`: earlier [t, direction, paise] of such items."""
    if not m.cash or not _value(p.SPLIT_BAND_FROM, m) <= m.amount_paise < _value(p.CASH_ITEM_UNDER, m):
        return None
    seconds = _value(p.SPLIT_WINDOW, m)
    same = [r for r in near_items if r[1] == m.direction and _within(r[0], m, seconds)]
    count = len(same) + 1
    if count < _value(p.SPLIT_MIN_COUNT, m):
        return None
    return Hit(Rule.STRUCTURING_SPLIT, {"direction": m.direction.value, "count": count})


def structuring_month(under_before: int, m: Movement) -> Hit | None:
    """A cash item under the item threshold that takes the IST month's sum of such items, in its
    direction, over the month's maximum. `under_before`: that sum before it."""
    if not m.cash or m.amount_paise >= _value(p.CASH_ITEM_UNDER, m):
        return None
    total = under_before + m.amount_paise
    if total <= _value(p.MONTH_TOTAL_MAX, m):
        return None
    return Hit(Rule.STRUCTURING_MONTH, {"direction": m.direction.value, "month_paise": total})
