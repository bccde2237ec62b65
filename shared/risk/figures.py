"""A subject's rolling figures as of its latest movement, in event time (what
`GET /v1/risk/subjects/{id}` shows): payments out (not cash) and credits in over each velocity
window, totals, and the IST month's cash. Pure; recomputed by the fold at every movement."""

from __future__ import annotations

from typing import Any

from shared.risk import policy as p
from shared.risk.movements import Direction, Movement
from shared.risk.policy import RISK_POLICY

_US = 1_000_000
_OUT = Direction.OUT.value


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
    recent = state["recent"]  # this runs for every event: comprehensions, not a loop of index updates
    sides = {
        "out": [(r[0], r[2]) for r in recent if r[1] == _OUT and not r[4]],  # cash out is not a payment
        "in": [(r[0], r[2]) for r in recent if r[1] != _OUT],
    }
    for w, seconds in windows:
        since = m.t - seconds  # in the window when m.t - t <= seconds
        for side, items in sides.items():
            paid = [paise for t, paise in items if t >= since]
            figures[f"{side}_{w}"] = {"count": len(paid), "paise": sum(paid)}
    month = state["cash_months"].get(m.month, {})
    figures["cash_month"] = {"month": m.month, "in_paise": month.get("IN", 0), "out_paise": month.get("OUT", 0)}
    return figures
