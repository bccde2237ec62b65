"""Seeding a small data set (200 orders, 15 wallets, 15 accounts) through the real command path
into a fresh event store, published by the relay and projected by the projector (each its own
process), then read back from the query service: every sampled order shows the status its story
ends in, the customer summary counts the customer's orders, and a second seeding of the same spec
appends nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from command_service.settings import Settings
from tests.load.dataset import Dataset, Spec
from tests.load.http import Target
from tests.load.seeding import seed
from tests.load.views import wait_for_views
from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow]

SPEC = Spec(seed=11, customers=80, products=30, orders=200, wallets=15, accounts=15)


@pytest.fixture(scope="module")
async def load_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_load") as value:
        yield value


async def test_seeded_data_is_projected_and_a_second_seeding_appends_nothing(load_infra: Infra) -> None:
    data = Dataset(SPEC)
    settings = Settings(database_url=load_infra.pg_dsn)
    first = await seed(data, settings, concurrency=16, quiet=True)
    assert first["failed"] == [] and first["commands"] > SPEC.orders
    services = [processes.relay(load_infra), processes.projector(load_infra), processes.query(load_infra)]
    with processes.running(services) as running:
        target = Target("127.0.0.1", running["query"].port)
        views = await wait_for_views(data, target, auth.STAFF["Authorization"], timeout=300)
        assert views["sampled"] > 200
        top = max(data.orders_by_customer, key=lambda c: len(data.orders_by_customer[c]))
        summary = auth.get(f"{running['query'].url}/v1/customers/{data.customer_id(top)}/summary", timeout=10).json()
        assert summary["order_count"] == len(data.orders_by_customer[top]), summary
    again = await seed(data, settings, concurrency=16, quiet=True)
    assert again["replayed"] == again["commands"] == first["commands"], again
    assert again["refused"] == first["refused"] and again["checksum"] == first["checksum"] == data.checksum()
