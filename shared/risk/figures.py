"""A subject's rolling figures as of its latest movement, in event time (what
`GET /v1/risk/subjects/{id}` shows): payments out (not cash) and credits in over each velocity
window, totals, and the IST month's cash. Pure; recomputed by the fold at every movement."""

from __future__ import annotations

from typing import Any

from shared.risk import policy as p
from shared.risk.movements import Direction, Movement
from shared.risk.policy import RISK_POLICY

_US = 1_000_000


def rolling_figures(state: dict[str, Any], m: Movement) -> dict[str, Any]:
    """The rolling figures as of the subject's latest movement (event time): payments out (not
    cash) and credits in each velocity window, totals, and this IST month's cash."""
    old = state["figures"]
    figures: dict[str, Any] = {
        "as_of": m.stamp,
        "movements": old["movements"] + 1,
        "in_paise": old["in_paise"] + (m.amount_paise if m.direction is Direction.IN else 0),
        "out_paise": old["out_paise"] + (m.amount_paise if m.direction is Direction.OUT else 0),
    }
    windows = [(w, p.figure(RISK_POLICY, p.VELOCITY[w]["seconds"], m.day) * _US) for w in p.VELOCITY_WINDOWS]
    sums = {f"{side}_{w}": [0, 0] for w, _ in windows for side in ("out", "in")}
    t = m.t
    for r in state["recent"]:  # one pass: this runs for every event
        if r[1] == Direction.OUT and r[4]:
            continue  # cash out is not a payment
        side = "out" if r[1] == Direction.OUT else "in"
        for w, seconds in windows:
            if t - r[0] <= seconds:
                figure = sums[f"{side}_{w}"]
                figure[0] += 1
                figure[1] += r[2]
    for w, _ in windows:
        for side in ("out", "in"):
            count, paise = sums[f"{side}_{w}"]
            figures[f"{side}_{w}"] = {"count": count, "paise": paise}
    month = state["cash_months"].get(m.month, {})
    figures["cash_month"] = {"month": m.month, "in_paise": month.get("IN", 0), "out_paise": month.get("OUT", 0)}
    return figures
