"""The chaos run's end checks can fail: each is shown a history with one fault planted (an
accepted command missing from the store, one made twice, a refused one that appended, a gap in a
stream, a saga effect twice or never, a paisa created, a unit of stock lost, a view that differs
from its rebuild) and must name it; and the verdict over a report names what a run lacked."""

from __future__ import annotations

import copy
from typing import Any

from tests.chaos import checks
from tests.chaos.checks import StoredEvent
from tests.chaos.client import Operation
from tests.chaos.settings import ChaosSettings
from tests.chaos.verdict import failures

ACTOR = "staff"
TRANSFER = {"to_wallet_id": "w2", "amount_paise": 100}


def accepted(kind: str, key: str, path: str, body: dict[str, Any], token: tuple[str, int, int]) -> Operation:
    stream_id, version, position = token
    op = Operation(kind, key, "POST", path, body, attempts=["503", "200"], status=200)
    op.token = {"stream_id": stream_id, "version": version, "position": position}
    return op


def event(stream_id: str, version: int, position: int, key: str, command: str, type_: str = "X") -> StoredEvent:
    return StoredEvent(stream_id, version, position, type_, key, command, ACTOR, {})


def history() -> tuple[list[Operation], list[StoredEvent]]:
    ops = [
        accepted(
            "transfer", "k1", "/v1/wallets/w1/transfers", {"to_wallet_id": "w2", "amount_paise": 100}, ("w1", 2, 5)
        ),
        accepted("restock", "k2", "/v1/products/S1/restock", {"quantity": 3}, ("product-S1", 2, 6)),
        Operation("order", "k3", "POST", "/v1/orders", {}, attempts=["409"], status=409),
    ]
    events = [
        event("w1", 1, 1, "t1", "c1"),
        event("w2", 1, 2, "t2", "c2"),
        event("product-S1", 1, 3, "p1", "c3"),
        event("w1", 2, 5, "k1", "c5"),
        event("w2", 2, 5, "k1", "c5"),
        event("product-S1", 2, 6, "k2", "c6"),
    ]
    return ops, events


def test_a_consistent_history_passes() -> None:
    ops, events = history()
    assert checks.log_against_store(ops, events, ACTOR) == []
    assert checks.streams_gap_free(events) == []


def test_an_accepted_command_missing_from_the_store_is_named() -> None:
    ops, events = history()
    events = [e for e in events if e.correlation_id != "k2"]
    missing, made = checks.log_against_store(ops, events, ACTOR)
    assert "k2" in missing and "not in the store" in missing
    assert "k2" in made and "by 0 commands" in made


def test_a_command_made_twice_is_named() -> None:
    ops, events = history()
    events.append(event("product-S1", 3, 7, "k2", "c7"))  # a retry that was not recognised as one
    [problem] = checks.log_against_store(ops, events, ACTOR)
    assert "k2" in problem and "2 commands" in problem


def test_a_refused_command_that_appended_is_named() -> None:
    ops, events = history()
    events.append(event("ord-1", 1, 8, "k3", "c8"))
    [problem] = checks.log_against_store(ops, events, ACTOR)
    assert "k3" in problem and "refused" in problem


def test_a_token_naming_another_commands_event_is_named() -> None:
    ops, events = history()
    ops[1].token = {"stream_id": "product-S1", "version": 1, "position": 3}
    [problem] = checks.log_against_store(ops, events, ACTOR)
    assert "another command" in problem


def test_a_gap_in_a_stream_is_named() -> None:
    _, events = history()
    [problem] = checks.streams_gap_free([e for e in events if (e.stream_id, e.version) != ("w1", 1)])
    assert problem.startswith("stream w1")


def payment(order_id: str, status: str) -> Operation:
    body = {"status": status, "amount_paise": 100, "provider_reference": "r"}
    return Operation("payment", f"pay-{order_id}", "POST", f"/v1/orders/{order_id}/payment", body, status=200)


def test_the_saga_effect_twice_or_never_is_named() -> None:
    ops = [payment("ord-1", "failed"), payment("ord-2", "failed"), payment("ord-3", "captured")]
    events = [
        event("ord-1", 3, 1, "s", "s1", "OrderCancelled"),
        event("ord-1", 4, 2, "s", "s2", "OrderCancelled"),
        event("ord-3", 3, 3, "pay-ord-3", "c3", "OrderConfirmed"),
    ]
    problems = checks.saga_effects(ops, events)
    assert [p.split(":")[0] for p in problems] == ["order ord-1", "order ord-2"]
    events.append(event("ord-3", 4, 4, "s", "s4", "OrderCancelled"))
    assert len(checks.saga_effects(ops, events)) == 3


def test_money_created_or_lost_is_named() -> None:
    ops, _ = history()
    funds = {"w1": 1_000, "w2": 1_000}
    assert checks.money(funds, ops, {"w1": 900, "w2": 1_100}) == []
    problems = checks.money(funds, ops, {"w1": 900, "w2": 1_101})
    assert any("w2" in p for p in problems) and any("in all" in p for p in problems)
    moved = checks.money(funds, ops, {"w1": 1_000, "w2": 1_000})  # the accepted transfer's effect missing
    assert len(moved) == 2 and not any("in all" in p for p in moved)


def test_stock_lost_is_named() -> None:
    ops, _ = history()
    lines = [("S1", 2)]
    fine = {"S1": {"on_hand": 13, "reserved": 2, "available": 11}}
    assert checks.stock({"S1": 10}, ops, lines, fine) == []
    lost = {"S1": {"on_hand": 13, "reserved": 2, "available": 10}}
    [problem] = checks.stock({"S1": 10}, ops, lines, lost)
    assert problem.startswith("S1: sold 2 + available 10 != stocked 13")


def test_a_view_that_differs_from_its_rebuild_is_named() -> None:
    live = [{"_id": "a", "n": 1, "m": {"x": 1, "y": 2}}, {"_id": "b", "n": 2}]
    same = [{"_id": "b", "n": 2}, {"m": {"y": 2, "x": 1}, "_id": "a", "n": 1}]  # other order, same content
    assert checks.checksum(live) == checks.checksum(same)
    off = copy.deepcopy(same)
    off[1]["n"] = 2  # an effect applied twice
    assert checks.views_equal({"v": checks.checksum(live)}, {"v": checks.checksum(off)}) != []
    assert checks.first_differences(live, off) == ["a: n: 1 != 2"]
    assert checks.first_differences(live, same[:1]) == ["a: only in the live view"]


def report(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kills": {"overlapping_pairs": 1, "per_component": {"relay": {"kills": 5}, "kafka": {"kills": 5}}},
        "checks": {"problems": {"log_against_store": []}},
        "server_error_count": 0,
        "server_errors": [],
        "unavailable_503": {"with_retry_after": {"command": 3, "query": 2}, "without_retry_after": {}},
        "crashes_when_ready": {},
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = base
        for name in parents:
            target = target[name]
        target[leaf] = value
    return base


def test_the_verdict_names_what_a_run_lacked() -> None:
    settings = ChaosSettings(kills_each=5)
    assert failures(report(), settings) == []
    assert failures(report(kills__per_component={"relay": {"kills": 4}}), settings) == [
        "relay killed 4 times, 5 wanted"
    ]
    assert "no two components" in failures(report(kills__overlapping_pairs=0), settings)[0]
    assert "server errors" in failures(report(server_error_count=1), settings)[0]
    assert (
        "command service never answered 503"
        in failures(report(unavailable_503__with_retry_after={"query": 1}), settings)[0]
    )
    assert "log_against_store" in failures(report(checks__problems={"log_against_store": ["x"]}), settings)[0]
    assert "exited on their own" in failures(report(crashes_when_ready={"relay": ["..."]}), settings)[0]
