"""The subject's fold: alert ids from the events, episodes, state that reads back from MongoDB
(BSON) as written, and events it does not read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import bson

from shared.banking.events import AccountDeposited, AccountFrozen, AccountOpened, AccountUpiDebited
from shared.banking.values import AccountType, DepositMode
from shared.events import DomainEvent
from shared.risk import policy as p
from shared.risk.policy import RISK_POLICY
from shared.risk.subjects import evolve, new_subject
from shared.risk.values import Rule, parse_alert_id

ACC = "acc-" + "a" * 32
T0 = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)


def opened(at: datetime = T0) -> AccountOpened:
    return AccountOpened(
        account_id=ACC,
        customer_id="cust-9",
        account_number="70000000000001",
        holder_name="A",
        account_type=AccountType.SAVINGS,
        branch_ifsc="BAHI0000001",
        balance_after_paise=0,
        occurred_at=at,
    )


def paid(at: datetime, paise: int = 100_00, payee: str = "shop@bahi") -> AccountUpiDebited:
    return AccountUpiDebited(
        account_id=ACC,
        payment_id=f"p-{at.timestamp()}",
        rrn="612345678901",
        vpa="me@bahi",
        payee_vpa=payee,
        amount_paise=paise,
        balance_after_paise=1,
        occurred_at=at,
    )


def cash(at: datetime, paise: int) -> AccountDeposited:
    return AccountDeposited(
        account_id=ACC, txn_id=f"d-{at.timestamp()}", amount_paise=paise, mode=DepositMode.CASH,
        narration="cash", balance_after_paise=paise, occurred_at=at,
    )  # fmt: skip


def fold(events: list[DomainEvent], *, through_bson: bool = False) -> dict[str, Any]:
    state = new_subject(ACC)
    for version, event in enumerate(events, start=1):
        state = evolve(state, event, ACC, version) or state
        if through_bson:
            state = bson.decode(bson.encode(state))
    return state


def burst(start: datetime, n: int) -> list[DomainEvent]:
    return [paid(start + timedelta(seconds=10 * i)) for i in range(n)]


def test_a_velocity_burst_is_one_alert_named_by_its_first_trigger() -> None:
    over = RISK_POLICY.value(p.velocity_rule("5m", "max_count"), T0) + 1
    events: list[DomainEvent] = [opened(), *burst(T0 + timedelta(days=1), over + 3)]
    state = fold(events)
    velocity = [a for a in state["alerts"] if a["rule"] == Rule.VELOCITY.value]
    assert len(velocity) == 1
    alert = velocity[0]
    assert alert["alert_id"] == f"VELOCITY-{over + 1}-{ACC}"  # the opening is version 1
    assert parse_alert_id(alert["alert_id"]) is not None
    assert alert["trigger_count"] == 4 and [t["version"] for t in alert["triggers"]] == [over + 1 + i for i in range(4)]
    assert alert["customer_id"] == "cust-9"
    assert state["figures"]["out_5m"]["count"] == over + 3


def test_a_hit_after_the_episode_raises_a_new_alert() -> None:
    over = RISK_POLICY.value(p.velocity_rule("5m", "max_count"), T0) + 1
    episode = timedelta(seconds=RISK_POLICY.value(p.EPISODE, T0))
    first = T0 + timedelta(days=1)
    events: list[DomainEvent] = [
        opened(),
        *burst(first, over),
        *burst(first + timedelta(seconds=10 * over) + episode, over),
    ]
    ids = [a["alert_id"] for a in fold(events)["alerts"] if a["rule"] == Rule.VELOCITY.value]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_state_read_back_from_bson_decides_as_the_state_in_memory() -> None:
    under = RISK_POLICY.value(p.CASH_ITEM_UNDER, T0)
    day = timedelta(days=1)
    events: list[DomainEvent] = [opened()]
    events += [cash(T0 + day * i + timedelta(microseconds=i * 1_001), under - 1_000_00 + i) for i in range(1, 26)]
    events += burst(T0 + 3 * day, 12)
    assert fold(events, through_bson=True) == fold(events)
    rules = {a["rule"] for a in fold(events)["alerts"]}
    assert {Rule.STRUCTURING_SPLIT.value, Rule.STRUCTURING_MONTH.value, Rule.VELOCITY.value} <= rules


def test_dormancy_counts_from_the_opening() -> None:
    idle = timedelta(seconds=RISK_POLICY.value(p.DORMANT_AFTER, T0))
    floor = RISK_POLICY.value(p.DORMANT_MIN, T0)
    assert Rule.DORMANT.value in {a["rule"] for a in fold([opened(), paid(T0 + idle, floor)])["alerts"]}
    assert fold([opened(), paid(T0 + idle - timedelta(seconds=1), floor)])["alerts"] == []


def test_events_without_money_change_nothing() -> None:
    state = fold([opened()])
    frozen = AccountFrozen(account_id=ACC, reason="x", balance_after_paise=0, occurred_at=T0)
    assert evolve(state, frozen, ACC, 2) is None


def test_before_the_risk_table_no_rule_applies_and_nothing_fails() -> None:
    first_row = min(row.effective_from for row in RISK_POLICY.rows)
    early = datetime(first_row.year - 1, 6, 1, 5, 0, tzinfo=UTC)
    over = RISK_POLICY.value(p.velocity_rule("5m", "max_count"), T0) + 3
    state = fold([opened(early), *burst(early + timedelta(days=1), over)])
    assert state["alerts"] == [] and state["last_t"] > 0
