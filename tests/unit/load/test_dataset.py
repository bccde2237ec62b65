"""The seeded data set is a pure function of its spec: the same seed gives the same commands
(checksum), another seed others; each entity is its own draw (order 70 is the same in a bigger
data set); activity is Zipf-skewed; the catalogue is real categories with stock for every order."""

from __future__ import annotations

from dataclasses import replace

from tests.load import catalogue
from tests.load.dataset import Dataset, Spec

SMALL = Spec(seed=3, customers=300, products=60, orders=1500, wallets=40, accounts=40)


def test_the_same_seed_gives_the_same_documents() -> None:
    assert Dataset(SMALL).checksum() == Dataset(SMALL).checksum()
    first = [s.canonical() for story in Dataset(SMALL).order_steps() for s in story]
    again = [s.canonical() for story in Dataset(SMALL).order_steps() for s in story]
    assert first == again


def test_another_seed_or_size_gives_other_documents() -> None:
    checksums = {Dataset(spec).checksum() for spec in (SMALL, replace(SMALL, seed=4), replace(SMALL, orders=1501))}
    assert len(checksums) == 3
    assert Dataset(SMALL).order_id(0) != Dataset(replace(SMALL, seed=4)).order_id(0)


def test_an_entity_is_the_same_in_a_bigger_data_set() -> None:
    small, big = Dataset(SMALL), Dataset(replace(SMALL, orders=3000))
    assert [small.order_id(i) for i in range(100)] == [big.order_id(i) for i in range(100)]
    assert [small.customer_of(i) for i in range(100)] == [big.customer_of(i) for i in range(100)]
    assert small.order_story(70)[0].body == big.order_story(70)[0].body


def test_customer_activity_is_zipf_skewed() -> None:
    counts = sorted((len(v) for v in Dataset(SMALL).orders_by_customer.values()), reverse=True)
    top = sum(counts[: len(counts) // 100 or 1])
    assert top > 0.05 * SMALL.orders  # the top 1% of customers place more than 5% of the orders
    assert counts[0] > 10 * counts[len(counts) // 2]  # the busiest ordered ten times the median customer


def test_products_are_in_real_categories_with_stock_for_every_order() -> None:
    data = Dataset(SMALL)
    names = {c.name for c in catalogue.CATEGORIES}
    assert {p.category for p in data.products} <= names and len({p.category for p in data.products}) >= 5
    stock = {story[0].body["sku"]: story[0].body["stock"] for story in data.product_steps()}
    for sku, wanted in data.demand().items():
        assert stock[sku] >= wanted, sku
    assert any(stock[sku] == wanted for sku, wanted in data.demand().items())  # some sell out


def test_stories_run_in_time_order_and_prepaid_orders_pay_their_total() -> None:
    data = Dataset(SMALL)
    for story in [*data.order_steps(), *data.holder_steps()]:
        assert [s.at for s in story] == sorted(s.at for s in story)
        assert all(SMALL.start_at - SMALL.end_at < s.at - SMALL.end_at <= SMALL.end_at - SMALL.end_at for s in story)
    paid = [s for story in data.order_steps() for s in story if s.kind == "record_payment"]
    assert paid and all(s.body["amount_paise"] > 0 for s in paid)
    assert len({s.key for story in data.order_steps() for s in story}) == sum(len(s) for s in data.order_steps())


def test_the_opening_moment_the_reads_ask_after_is_the_storys() -> None:
    from tests.load.stories import opened_at

    data = Dataset(SMALL)
    stories = list(data.holder_steps())
    for i in range(SMALL.wallets):
        assert opened_at(data, "wallet", i) == stories[i][0].at
    for i in range(SMALL.accounts):
        assert opened_at(data, "account", i) == stories[SMALL.wallets + i][0].at
