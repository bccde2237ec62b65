"""A client's Idempotency-Key lives in its principal's own namespace: one customer cannot pre-empt
another's movement id or a process manager's step by sending its key first, and two customers
using the same key each get their own answer (over HTTP, the service's error mapping, in-memory
store)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from command_service.api.commands import client_key
from command_service.bootstrap import default_registry
from tests.support import auth
from tests.support.wallets import WalletWorld, api, rupees

OPEN = {"mobile": "9876543210", "kyc": "FULL"}
TOPUP = {"topup_id": "t-1", "amount_paise": rupees(5), "source": "UPI", "reference": "r"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with api(WalletWorld()) as c:
        yield c


async def open_wallet(client: httpx.AsyncClient, customer_id: str) -> str:
    opened = await client.post("/v1/wallets", json={**OPEN, "customer_id": customer_id})
    assert opened.status_code == 201, opened.text
    return str(opened.json()["wallet_id"])


async def test_a_key_naming_another_customers_movement_does_not_pre_empt_it(client: httpx.AsyncClient) -> None:
    mine, theirs = await open_wallet(client, "cust-a"), await open_wallet(client, "cust-b")
    # The record a top-up t-1 of `theirs` leaves is keyed `topup:<wallet>:t-1`: send that key first.
    pre_empt = {**auth.customer("cust-a"), "Idempotency-Key": f"topup:{theirs}:t-1"}
    assert (await client.post(f"/v1/wallets/{mine}/topups", json=TOPUP, headers=pre_empt)).status_code == 200
    answer = await client.post(f"/v1/wallets/{theirs}/topups", json=TOPUP, headers=auth.customer("cust-b"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["wallet_id"] == theirs and answer.json()["balance_paise"] == TOPUP["amount_paise"]
    assert "Idempotent-Replayed" not in answer.headers


async def test_two_customers_using_one_key_each_get_their_own_answer(client: httpx.AsyncClient) -> None:
    wallets = {customer: await open_wallet(client, customer) for customer in ("cust-a", "cust-b")}
    first: dict[str, dict[str, object]] = {}
    for customer, wallet in wallets.items():
        headers = {**auth.customer(customer), "Idempotency-Key": "retry-1"}
        body = {**TOPUP, "topup_id": f"t-{customer}"}
        answer = await client.post(f"/v1/wallets/{wallet}/topups", json=body, headers=headers)
        assert answer.status_code == 200 and answer.json()["wallet_id"] == wallet, answer.text
        first[customer] = answer.json()
        again = await client.post(f"/v1/wallets/{wallet}/topups", json=body, headers=headers)
        assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first[customer]
    reused = await client.post(
        f"/v1/wallets/{wallets['cust-a']}/topups",
        json={**TOPUP, "topup_id": "t-other"},
        headers={**auth.customer("cust-a"), "Idempotency-Key": "retry-1"},
    )
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"
    assert reused.json()["detail"] == "retry-1 was used with a different request"


def test_no_movement_or_process_manager_key_is_in_a_clients_namespace() -> None:
    kinds = {c.movement.kind for c in default_registry().commands if c.movement is not None}
    assert kinds and "http" not in kinds
    assert client_key("cust-1", "k").startswith("http:")
    assert client_key("a:b", "c") != client_key("a", "b:c")
    assert client_key(None, "k") != client_key("", ":k")
