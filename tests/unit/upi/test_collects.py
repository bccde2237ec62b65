"""Collect requests over HTTP (ASGI, in-memory store): only a MERCHANT VPA raises one (P2P is
push only); the payer accepts it — the payment and the acceptance in one append, once — or
declines it; a request lapses after the policy's expiry; the payer's limits apply at acceptance;
a customer answers only the requests raised on its own VPAs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.upi import policy as upi
from shared.upi.policy import UPI_POLICY
from shared.upi.streams import COLLECT
from tests.support import auth
from tests.support.upi import T0, UpiWorld, api, new_id, rupees

EXPIRY = UPI_POLICY.value(upi.COLLECT_EXPIRY, T0)


@pytest.fixture
def world() -> UpiWorld:
    return UpiWorld()


@pytest.fixture
async def client(world: UpiWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with api(world) as c:
        yield c


@pytest.fixture
async def parties(world: UpiWorld) -> dict[str, str]:
    """asha@bahi (cust-1's account, ₹50,000), shop@bahi (a merchant's wallet), ravi@bahi (a person's wallet)."""
    account = await world.account(rupees(50_000))
    shop, ravi = await world.wallet(customer_id="merchant-1"), await world.wallet(customer_id="cust-2")
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("shop@bahi", kind="MERCHANT", wallet_id=shop)
    await world.vpa("ravi@bahi", wallet_id=ravi)
    world.clock.advance(days=1)
    return {"account": account, "shop": shop, "ravi": ravi}


def collect(**body: Any) -> dict[str, Any]:
    return {"collect_id": new_id("c-"), "payee_vpa": "shop@bahi", "payer_vpa": "asha@bahi", "amount_paise": 100, **body}


async def test_a_person_vpa_cannot_raise_a_collect_request(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    before = await world.event_count()
    response = await client.post("/v1/upi/collects", json=collect(payee_vpa="ravi@bahi"))
    assert response.status_code == 422 and response.json()["rule"] == upi.COLLECT_MERCHANT_ONLY
    assert response.json()["field"] == "payee_vpa"
    assert await world.event_count() == before


async def test_an_accepted_collect_is_paid_once_in_the_same_append(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    raised = await client.post("/v1/upi/collects", json=collect(amount_paise=rupees(250)))
    assert raised.status_code == 201, raised.text
    collect_id = raised.json()["collect_id"]
    assert raised.json()["status"] == "REQUESTED"
    accepted = await client.post(f"/v1/upi/collects/{collect_id}/accept")
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "ACCEPTED" and body["payment"]["rrn"] == body["rrn"] and len(body["rrn"]) == 12
    assert body["payment"]["payment_id"] == collect_id
    assert await world.balance(parties["account"]) == rupees(50_000 - 250)
    assert await world.balance(parties["shop"]) == rupees(250)
    again = await client.post(f"/v1/upi/collects/{collect_id}/accept")
    assert again.status_code == 409 and again.json()["collect_status"] == "ACCEPTED"
    assert await world.balance(parties["shop"]) == rupees(250)
    assert len(await world.events(COLLECT.stream_id(collect_id))) == 2


async def test_a_declined_collect_moves_nothing_and_cannot_be_accepted(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    collect_id = (await client.post("/v1/upi/collects", json=collect())).json()["collect_id"]
    declined = await client.post(f"/v1/upi/collects/{collect_id}/decline", json={"reason": "not mine"})
    assert declined.status_code == 200 and declined.json()["status"] == "DECLINED"
    assert (await client.post(f"/v1/upi/collects/{collect_id}/accept")).status_code == 409
    assert await world.balance(parties["account"]) == rupees(50_000)


async def test_a_collect_lapses_at_its_expiry(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    collect_id = (await client.post("/v1/upi/collects", json=collect())).json()["collect_id"]
    world.clock.advance(seconds=EXPIRY - 1)
    open_one = (await client.post("/v1/upi/collects", json=collect())).json()["collect_id"]
    world.clock.advance(seconds=1)
    lapsed = await client.post(f"/v1/upi/collects/{collect_id}/accept")
    assert lapsed.status_code == 409 and lapsed.json()["collect_status"] == "EXPIRED"
    assert (await client.post(f"/v1/upi/collects/{open_one}/accept")).status_code == 200


async def test_the_payers_limits_apply_when_it_accepts(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    collect_id = (await client.post("/v1/upi/collects", json=collect(amount_paise=rupees(50_000) + 1))).json()[
        "collect_id"
    ]
    refused = await client.post(f"/v1/upi/collects/{collect_id}/accept")
    assert refused.status_code == 422 and refused.json()["rule"] == "no_overdraft"


async def test_only_the_payer_answers_a_collect_and_only_the_merchant_raises_it(
    world: UpiWorld, client: httpx.AsyncClient, parties: dict[str, str]
) -> None:
    merchant = {"authorization": auth.customer("merchant-1")["Authorization"]}
    payer = {"authorization": auth.customer("cust-1")["Authorization"]}
    assert (await client.post("/v1/upi/collects", json=collect(), headers=payer)).status_code == 404
    raised = await client.post("/v1/upi/collects", json=collect(), headers=merchant)
    assert raised.status_code == 201, raised.text
    collect_id = raised.json()["collect_id"]
    assert (await client.post(f"/v1/upi/collects/{collect_id}/accept", headers=merchant)).status_code == 404
    assert (await client.post(f"/v1/upi/collects/{collect_id}/accept", headers=payer)).status_code == 200
