"""Scenarios load from their TOML, weights can be overridden, a follow-up page needs a harvesting
endpoint, and the picker fills placeholders with ids of the seeded data set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.load.dataset import Dataset, Spec
from tests.load.driver import _next_cursor
from tests.load.scenarios import Picker, Scenario

DATA = Dataset(Spec(seed=5, customers=200, products=50, orders=1000, wallets=30, accounts=30))


def test_the_read_mix_covers_the_read_side() -> None:
    scenario = Scenario.load("read-mix")
    names = {e.name for e in scenario.endpoints}
    assert {
        "order_status",
        "customer_history",
        "customer_history_next",
        "customer_summary",
        "search",
        "product",
        "wallet_balance",
        "wallet_balance_as_of",
        "account_balance_as_of",
    } <= names


def test_weights_override_and_zero_leaves_out() -> None:
    scenario = Scenario.load("read-mix", {"order_status": 0, "search": 5})
    assert "order_status" not in {e.name for e in scenario.endpoints}
    assert next(e for e in scenario.endpoints if e.name == "search").weight == 5
    with pytest.raises(ValueError, match="no such endpoint"):
        Scenario.load("read-mix", {"nope": 1})


def test_a_follow_up_needs_a_harvesting_endpoint(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[endpoints.a]\npath = "/x"\n[endpoints.b]\nfollow = "a"\n')
    with pytest.raises(ValueError, match="harvests no cursors"):
        Scenario.load(str(bad))


def test_the_picker_draws_by_weight_with_seeded_ids() -> None:
    picker = Picker(Scenario.load("read-mix"), DATA, seed=1)
    drawn = [picker.draw() for _ in range(4000)]
    counts = Counter(e.name for e, _ in drawn)
    assert counts["order_status"] > counts["search"] > 0
    orders = {DATA.order_id(i) for i in range(DATA.spec.orders)}
    for endpoint, path in drawn:
        assert "{" not in path and path.startswith("/v1/")
        if endpoint.name == "order_status":
            assert path.removeprefix("/v1/orders/") in orders
    hot = Counter(p for e, p in drawn if e.name == "order_status").most_common(1)[0][1]
    assert hot > 5  # Zipf: some orders are read again and again


def test_cursors_are_harvested_and_followed() -> None:
    picker = Picker(Scenario.load("read-mix", {e: 0 for e in ("order_status", "search", "product")}), DATA, seed=2)
    first = next(e for e in picker.endpoints if e.name == "customer_history")
    picker.keep_cursor(first, "/v1/customers/x/orders?limit=20", _next_cursor(b'{"items":[],"next_cursor":"abc"}'))
    assert _next_cursor(b'{"items":[],"next_cursor":null}') is None
    follow = [p for e, p in (picker.draw() for _ in range(500)) if e.name == "customer_history_next"]
    assert follow and set(follow) == {"/v1/customers/x/orders?limit=20&cursor=abc"}
