"""A merchant's settlement per IST day over HTTP against the real MongoDB stand-in: payments of
several wallets on either side of 18:30 UTC (Indian midnight) fall on two days; payments on
either side of UTC midnight fall on one; refunds net out; a day without settlements is a 404;
the date is required and strict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.wallets.read_models import MERCHANT_SETTLEMENTS
from tests.integration.wallets.conftest import Project
from tests.support.wallet_views import Book, rupees

pytestmark = pytest.mark.integration

IST_MIDNIGHT = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)  # 00:00 IST, 1 April
UTC_MIDNIGHT = datetime(2025, 4, 1, tzinfo=UTC)  # 05:30 IST, 1 April


async def test_settlements_per_ist_day_across_both_midnights(client: httpx.AsyncClient, project: Project) -> None:
    merchant = "merch-days"
    asha = Book(at=IST_MIDNIGHT - timedelta(hours=2)).open().top_up(rupees(5_000))
    asha.pay(rupees(100), merchant, at=IST_MIDNIGHT - timedelta(seconds=1))  # 31 March, 23:59:59 IST
    asha.pay(rupees(200), merchant, at=IST_MIDNIGHT, payment_id="p-apr")  # 1 April, 00:00 IST
    ravi = Book(at=IST_MIDNIGHT - timedelta(hours=2)).open("cust-ravi").top_up(rupees(5_000))
    ravi.hold(rupees(400), "h-1", merchant, at=UTC_MIDNIGHT - timedelta(minutes=1))  # 31 March UTC
    ravi.capture("h-1", rupees(300), at=UTC_MIDNIGHT - timedelta(seconds=30))
    ravi.pay(rupees(50), merchant, at=UTC_MIDNIGHT + timedelta(minutes=1))  # 1 April UTC: the same IST day
    asha.refund(rupees(20), "p-apr", merchant, at=UTC_MIDNIGHT + timedelta(hours=1))
    await project(asha.stored() + ravi.stored())
    url = f"/v1/merchants/{merchant}/settlements"

    march = await client.get(url, params={"date": "2025-03-31"})
    assert march.status_code == 200, march.text
    assert march.json() == {
        "merchant_id": merchant,
        "day": "2025-03-31",
        "captured_paise": rupees(100),
        "refunded_paise": 0,
        "net_paise": rupees(100),
        "capture_count": 1,
        "refund_count": 0,
        "version": 1,
    }
    april = (await client.get(url, params={"date": "2025-04-01"})).json()
    assert (april["captured_paise"], april["refunded_paise"], april["net_paise"]) == (
        rupees(550),
        rupees(20),
        rupees(530),
    )
    assert (april["capture_count"], april["refund_count"]) == (3, 1)
    assert (await client.get(url, params={"date": "2025-04-02"})).status_code == 404

    etag = march.headers["etag"]
    assert (await client.get(url, params={"date": "2025-03-31"}, headers={"If-None-Match": etag})).status_code == 304
    await project(asha.stored() + ravi.stored())  # a redelivery of everything counts nothing twice
    assert (await client.get(url, params={"date": "2025-04-01"})).json() == april


async def test_the_date_is_required_and_strict(client: httpx.AsyncClient) -> None:
    url = "/v1/merchants/merch-1/settlements"
    for query, field in [
        ({}, "date"),
        ({"date": "2025-4-1"}, "date"),
        ({"date": "2025-02-30"}, "date"),
        ({"day": "x"}, "day"),
    ]:
        refused = await client.get(url, params=query)
        assert refused.status_code == 422 and refused.json()["field"] == field, (query, refused.text)
    nothing = await client.get("/v1/merchants/merch-none/settlements", params={"date": "2025-04-01"})
    assert nothing.status_code == 404 and "merch-none" in nothing.json()["detail"]


async def test_a_merchant_day_is_read_through_its_index(wallet_db: Any) -> None:
    query = {"merchant_id": "merch-1", "day": "2025-04-01"}
    plan = await wallet_db[MERCHANT_SETTLEMENTS].find(query).sort("day", -1).hint("by_merchant_day").limit(1).explain()
    assert "COLLSCAN" not in str(plan)
