"""Concurrent commands against the real command service and PostgreSQL: no lost update,
conflicts answered as specified, one key = one set of events."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra, unique

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ADDRESS = {"name": "Meera", "line1": "7 Residency Road", "city": "Chennai", "state": "TN", "pincode": "600001"}


@pytest.fixture(scope="module")
async def concurrency_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_cc") as infra:
        yield infra


@pytest.fixture(scope="module")
def command_url(concurrency_infra: Infra) -> Iterator[str]:
    service = processes.command(concurrency_infra).start().wait_ready()
    try:
        yield service.url
    finally:
        service.stop()


def order(sku: str, customer: str) -> dict[str, object]:
    return {
        "customer_id": customer,
        "items": [{"sku": sku, "quantity": 1}],
        "shipping_address": ADDRESS,
        "payment_method": "UPI",
    }


async def stream(infra: Infra, stream_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        return await conn.fetch(
            "SELECT version, event_type, data::text AS data FROM bahi_events WHERE stream_id = $1 ORDER BY version",
            stream_id,
        )
    finally:
        await conn.close()


async def test_50_concurrent_commands_on_one_stream(command_url: str, concurrency_infra: Infra) -> None:
    sku = unique("SKU-")
    async with httpx.AsyncClient(base_url=command_url, timeout=60, headers=auth.STAFF) as client:
        created = await client.post(
            "/v1/products",
            json={"sku": sku, "name": "Parle-G", "category": "grocery", "price_paise": 1000, "stock": 1000},
        )
        assert created.status_code == 201
        answers = await asyncio.gather(*(client.post("/v1/orders", json=order(sku, f"c{i}")) for i in range(50)))
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    accepted = {a.json()["order_id"] for a in answers if a.status_code == 201}
    assert len(accepted) == statuses[201] > 0
    for rejected in (a for a in answers if a.status_code == 409):
        assert rejected.headers["content-type"] == "application/problem+json"

    events = await stream(concurrency_infra, f"product-{sku}")
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))  # gap-free
    reservations = [e for e in events if e["event_type"] == "StockReserved"]
    reserved_for = Counter(json.loads(e["data"])["order_id"] for e in reservations)
    assert set(reserved_for) == accepted and set(reserved_for.values()) == {1}  # each accepted one once


async def test_20_concurrent_requests_with_one_idempotency_key(command_url: str, concurrency_infra: Infra) -> None:
    sku, key, customer = unique("SKU-"), unique("key-"), unique("cust-")
    async with httpx.AsyncClient(base_url=command_url, timeout=60, headers=auth.STAFF) as client:
        await client.post(
            "/v1/products",
            json={"sku": sku, "name": "Amul Butter", "category": "grocery", "price_paise": 5600, "stock": 100},
        )
        answers = await asyncio.gather(
            *(client.post("/v1/orders", json=order(sku, customer), headers={"Idempotency-Key": key}) for _ in range(20))
        )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["order_id"] for a in answers}) == 1
    assert len({a.text for a in answers}) == 1  # the same answer, byte for byte
    events = await stream(concurrency_infra, f"product-{sku}")
    assert [e["event_type"] for e in events] == ["ProductCreated", "StockReserved"]  # one set of events
