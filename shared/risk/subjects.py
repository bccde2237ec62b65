"""A subject's fold: its rolling state, its rolling figures and the alerts its events raised,
one event of its own stream at a time. Pure, and shared: the projector keeps the result as the
subject's document (`risk_subject_view`) and the command side runs the same fold over the stream
as stored to check that an alert under review exists (it cannot read the views).

The state is plain lists, strings and integers (times as event-time microseconds), so it reads
back from MongoDB exactly as it was written and a fold resumed from a stored document decides as
one that never stopped. It keeps only what the rules look back at: the last 24 hours of movements
(the longest velocity window; pass-through's hour), the cash items near the line within the
split window, each IST month's sum of cash items under the line, the payees ever paid (sorted),
the bank's new beneficiaries within its window, and a VPA's new-VPA window total.

Alerts: a rule's hit on a subject within `risk.alert.episode_seconds` of the same rule's last
trigger extends that alert (its last trigger, its count, its latest detail; the first
`MAX_TRIGGERS` triggers listed); otherwise it raises a new one, whose id names the rule, the
triggering event's version and the subject (`shared.risk.values.alert_id`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any

from shared.banking import policy as bank_policy
from shared.banking.policy import BANK_POLICY
from shared.events import DomainEvent
from shared.policy import NoRowInForceError
from shared.risk import policy as p
from shared.risk import rules
from shared.risk.figures import rolling_figures
from shared.risk.movements import OPENINGS, Direction, Movement, micros, moment, movement_of
from shared.risk.policy import RISK_POLICY
from shared.risk.values import SEVERITY, SubjectType, alert_id, subject_type
from shared.upi.events import UpiPaymentSent

State = dict[str, Any]
MAX_TRIGGERS = 100
_US = 1_000_000
_OUT = Direction.OUT.value  # as the documents store it: a plain string compares faster


def new_subject(subject: str) -> State:
    return {
        "_id": subject,
        "subject": subject,
        "subject_type": subject_type(subject).value,
        "customer_id": None,
        "opened_at": None,
        "last_t": None,
        "recent": [],
        "near_cash": [],
        "cash_months": {},
        "payees": [],
        "new_payees": [],
        "vpa_window_paise": 0,
        "figures": {"movements": 0, "in_paise": 0, "out_paise": 0},
        "alerts": [],
        "alert_count": 0,
    }


def evolve(state: State, event: DomainEvent, stream_id: str, version: int) -> State | None:
    """The state after the event (a new dict), or None when the event is not the subject's
    opening or a movement (nothing changes)."""
    if isinstance(event, OPENINGS):
        at = getattr(event, "occurred_at")  # noqa: B009 - every opening has one; the union has no common base
        return {
            **state,
            "customer_id": getattr(event, "customer_id"),  # noqa: B009
            "opened_at": moment(micros(at)),
            "last_t": micros(at),
        }
    m = movement_of(event)
    if m is None:
        return None
    if not _in_force(m):  # before the risk table's first rows: no rule applies, the activity counts
        return {**state, "last_t": max(m.t, state["last_t"] or m.t)}
    hits = _hits(state, event, m)
    new = _remember(state, event, m)
    alerts = list(state["alerts"])
    for hit in hits:
        alerts = _raise(alerts, hit, new, m, stream_id, version)
    new["alerts"] = alerts
    new["alert_count"] = len(alerts)
    new["figures"] = rolling_figures(new, m)
    return new


def _risk(rule: str, m: Movement) -> int:
    return p.figure(RISK_POLICY, rule, m.day)


def _in_force(m: Movement) -> bool:
    return p.in_force(m.day)


def _checked(rule: Callable[[], rules.Hit | None]) -> rules.Hit | None:
    """A rule whose other table (banking's, upi's) has no row in force at the event's time does not apply."""
    try:
        return rule()
    except NoRowInForceError:
        return None


def _hits(state: State, event: DomainEvent, m: Movement) -> list[rules.Hit]:
    if state["subject_type"] == SubjectType.VPA.value:
        in_window = isinstance(event, UpiPaymentSent) and event.in_new_vpa_window
        hit = _checked(lambda: rules.new_vpa_near_cap(in_window, state["vpa_window_paise"], m))
        return [hit] if hit else []
    recent = state["recent"]
    paying = m.direction is Direction.OUT and not m.cash  # only a payment out reads the earlier ones
    outs = [(r[0], r[2]) for r in recent if r[1] == _OUT and not r[4]] if paying else []
    first = _new_payee(state, m.counterparty)
    known_payee = _paid_before(state, m.counterparty)
    new_payee = (
        None
        if known_payee and first is None
        else _checked(lambda: rules.new_payee_near_cap(first[1] if first else None, first[2] if first else 0, m))
    )
    found = [
        rules.velocity(outs, m),
        rules.large_first_payee(known_payee, m),
        new_payee,
        rules.pass_through(recent, m),
        rules.dormant(state["last_t"], m),
        rules.structuring_split(state["near_cash"], m),
        rules.structuring_month(_month_under(state, m), m),
    ]
    return [hit for hit in found if hit is not None]


def _paid_before(state: State, payee: str | None) -> bool:
    payees: list[str] = state["payees"]
    i = bisect_left(payees, payee) if payee is not None else 0
    return payee is not None and i < len(payees) and payees[i] == payee


def _new_payee(state: State, payee: str | None) -> list[Any] | None:
    return next((entry for entry in state["new_payees"] if entry[0] == payee), None)


def _month_under(state: State, m: Movement) -> int:
    return int(state["cash_months"].get(m.month, {}).get(f"under_{m.direction.value}", 0))


def _horizon(m: Movement) -> int:
    """How far back (µs) the movements are kept: the longest window any rule reads."""
    windows = [p.figure(RISK_POLICY, p.VELOCITY[w]["seconds"], m.day) for w in p.VELOCITY_WINDOWS]
    return max(*windows, _risk(p.PASS_THROUGH_WINDOW, m)) * _US


def _remember(state: State, event: DomainEvent, m: Movement) -> State:
    t = m.t
    keep_from = t - _horizon(m)
    recent = [r for r in state["recent"] if r[0] >= keep_from]
    recent.append([t, m.direction.value, m.amount_paise, m.counterparty, m.cash])
    new = {**state, "recent": recent, "last_t": max(t, state["last_t"] or t)}
    if m.cash:
        split_from = t - _risk(p.SPLIT_WINDOW, m) * _US
        near = [r for r in state["near_cash"] if r[0] >= split_from]
        if _risk(p.SPLIT_BAND_FROM, m) <= m.amount_paise < _risk(p.CASH_ITEM_UNDER, m):
            near.append([t, m.direction.value, m.amount_paise])
        new["near_cash"] = near
        months = {k: dict(v) for k, v in state["cash_months"].items()}
        month = months.setdefault(m.month, {"IN": 0, "OUT": 0, "under_IN": 0, "under_OUT": 0})
        month[m.direction.value] += m.amount_paise
        if m.amount_paise < _risk(p.CASH_ITEM_UNDER, m):
            month[f"under_{m.direction.value}"] += m.amount_paise
        new["cash_months"] = months
    if m.direction is Direction.OUT and m.counterparty is not None:
        if not _paid_before(state, m.counterparty):
            payees = list(state["payees"])
            insort(payees, m.counterparty)
            new["payees"] = payees
        if m.new_payee_window:
            new["new_payees"] = _checked_payees(state, m)
    if isinstance(event, UpiPaymentSent) and event.in_new_vpa_window:
        new["vpa_window_paise"] = state["vpa_window_paise"] + m.amount_paise
    return new


def _checked_payees(state: State, m: Movement) -> list[list[Any]]:
    try:
        return _new_payees(state, m)
    except NoRowInForceError:
        return list(state["new_payees"])


def _new_payees(state: State, m: Movement) -> list[list[Any]]:
    """Beneficiaries first paid within the bank's window: [payee, first t, paid in the window]."""
    window = p.figure(BANK_POLICY, bank_policy.NEW_PAYEE_WINDOW, m.day) * _US
    kept = [list(e) for e in state["new_payees"] if m.t - e[1] < window]
    entry = next((e for e in kept if e[0] == m.counterparty), None)
    if entry is not None:
        entry[2] += m.amount_paise
    elif not _paid_before(state, m.counterparty):
        kept.append([m.counterparty, m.t, m.amount_paise])
    return kept


def _raise(
    alerts: list[dict[str, Any]], hit: rules.Hit, state: State, m: Movement, stream: str, version: int
) -> list[dict[str, Any]]:
    trigger = {"stream_id": stream, "version": version, "event_type": m.event_type, "amount_paise": m.amount_paise}
    trigger["occurred_at"] = m.stamp
    episode = _risk(p.EPISODE, m) * _US
    for i in range(len(alerts) - 1, -1, -1):
        alert = alerts[i]
        if alert["rule"] != hit.rule.value:
            continue
        if m.t - alert["last_t"] <= episode:
            triggers = alert["triggers"] if len(alert["triggers"]) >= MAX_TRIGGERS else [*alert["triggers"], trigger]
            extended = {**alert, "last_t": m.t, "last_seen": m.stamp, "trigger_count": alert["trigger_count"] + 1}
            extended.update(triggers=triggers, detail=hit.detail)
            return [*alerts[:i], extended, *alerts[i + 1 :]]
        break
    subject = state["subject"]
    new_id = alert_id(hit.rule, version, subject)
    alert = {
        "alert_id": new_id,
        "rule": hit.rule.value,
        "severity": SEVERITY[hit.rule].value,
        "subject": subject,
        "subject_type": state["subject_type"],
        "customer_id": state["customer_id"],
        "first_t": m.t,
        "last_t": m.t,
        "first_seen": m.stamp,
        "last_seen": m.stamp,
        "trigger_count": 1,
        "triggers": [trigger],
        "detail": hit.detail,
        "sort_key": f"{m.stamp}|{new_id}",
    }
    return [*alerts, alert]
