"""The order histories of tests/support/histories.py: gap-free stream versions, about five
events per order, reproducible by seed, and folded into the views a customer would expect."""

from __future__ import annotations

from tests.support.histories import expected_views, history


def test_orders_have_about_five_events_on_their_stream_and_versions_are_gap_free() -> None:
    events = history(200)
    order_events = [e for e in events if e.stream_type == "order"]
    per_order = len(order_events) / len({e.stream_id for e in order_events})
    assert 4.0 <= per_order <= 5.5
    last: dict[str, int] = {}
    for e in events:
        assert e.version == last.get(e.stream_id, 0) + 1
        last[e.stream_id] = e.version
    assert [e.position for e in events] == list(range(1, len(events) + 1))


def test_the_views_are_what_a_customer_expects() -> None:
    events = history(200)
    views = expected_views(events)
    orders = views["order_view"]
    assert len(orders) == 200
    statuses = {doc["status"] for doc in orders.values()}
    assert "DELIVERED" in statuses and "CANCELLED" in statuses
    for doc in orders.values():
        assert doc["timeline"][0]["status"] == "PENDING_PAYMENT"
    reserved = sum(doc["reserved"] for doc in views["product_view"].values())
    in_flight = sum(
        line["quantity"]
        for doc in orders.values()
        if doc["status"] in {"PENDING_PAYMENT", "CONFIRMED"}
        for line in doc["items"]
    )
    assert reserved == in_flight


def test_the_same_seed_gives_the_same_history() -> None:
    assert history(20, seed=3) == history(20, seed=3)
    assert history(20, seed=3) != history(20, seed=4)
