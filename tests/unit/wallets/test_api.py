"""The wallet command routes over HTTP (ASGI, in-memory store, the service's own error mapping):
status codes and problem+json members."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from shared.wallets import policy as ppi
from tests.support.wallets import WalletWorld, api, new_id, rupees

PROBLEM = "application/problem+json"
OPEN = {"customer_id": "cust-1", "mobile": "9876543210", "kyc": "MINIMUM"}
TOPUP = {"topup_id": "t-1", "amount_paise": rupees(500), "source": "UPI", "reference": "upi:4242"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with api(WalletWorld()) as c:
        yield c


async def open_wallet(client: httpx.AsyncClient, **body: str) -> str:
    response = await client.post("/v1/wallets", json={**OPEN, **body})
    assert response.status_code == 201, response.text
    return str(response.json()["wallet_id"])


async def test_opening_answers_201_with_the_wallet_and_its_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/wallets", json=OPEN)
    assert response.status_code == 201
    body = response.json()
    assert body["wallet_id"].startswith("wal-") and body["status"] == "ACTIVE" and body["version"] == 1
    assert response.headers["X-Consistency-Token"].startswith(body["wallet_id"] + ":1:")
    again = await client.post("/v1/wallets", json=OPEN)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert again.json()["wallet_id"] == body["wallet_id"]


@pytest.mark.parametrize(("change", "field"), [({"mobile": "5876543210"}, "mobile"), ({"kyc": "PARTIAL"}, "kyc")])
async def test_invalid_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, change: dict[str, str], field: str
) -> None:
    response = await client.post("/v1/wallets", json={**OPEN, **change})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


async def test_a_rule_refusal_is_a_422_naming_the_rule_its_limit_and_what_would_pass(client: httpx.AsyncClient) -> None:
    wallet_id = await open_wallet(client)
    assert (await client.post(f"/v1/wallets/{wallet_id}/topups", json=TOPUP)).status_code == 200
    response = await client.post(
        f"/v1/wallets/{wallet_id}/topups", json={**TOPUP, "topup_id": "t-2", "amount_paise": rupees(9_500) + 1}
    )
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert (problem["rule"], problem["limit_paise"], problem["allowed_paise"]) == (
        ppi.MIN_KYC_BALANCE,
        rupees(10_000),
        rupees(9_500),
    )
    assert problem["type"].endswith("/PolicyRefusedError")


async def test_a_movement_id_again_replays_and_with_another_body_is_a_409_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    wallet_id = await open_wallet(client)
    first = await client.post(f"/v1/wallets/{wallet_id}/topups", json=TOPUP)
    again = await client.post(f"/v1/wallets/{wallet_id}/topups", json=TOPUP)
    assert again.status_code == 200 and again.json() == first.json()
    other = await client.post(f"/v1/wallets/{wallet_id}/topups", json={**TOPUP, "reference": "upi:9999"})
    assert other.status_code == 409 and other.json()["field"] == "reference" and other.json()["topup_id"] == "t-1"


async def test_an_unknown_wallet_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/v1/wallets/{new_id()}/topups", json=TOPUP)
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    malformed = await client.post("/v1/wallets/ord-1/topups", json=TOPUP)
    assert malformed.status_code == 422


async def test_hold_then_capture_part_then_refund(client: httpx.AsyncClient) -> None:
    wallet_id = await open_wallet(client)
    await client.post(f"/v1/wallets/{wallet_id}/topups", json=TOPUP)
    hold = {"payment_id": "p-1", "merchant_id": "m-1", "amount_paise": rupees(300), "hold": True, "order_id": "o-1"}
    held = await client.post(f"/v1/wallets/{wallet_id}/payments", json=hold)
    assert held.status_code == 200 and held.json()["payment_status"] == "HELD" and held.json()["expires_at"]
    captured = await client.post(f"/v1/wallets/{wallet_id}/payments/p-1/capture", json={"amount_paise": rupees(100)})
    assert captured.status_code == 200 and captured.json()["released_paise"] == rupees(200)
    void = await client.post(f"/v1/wallets/{wallet_id}/payments/p-1/void")
    assert void.status_code == 409 and void.json()["payment_status"] == "CAPTURED"
    refund = {"refund_id": "r-1", "payment_id": "p-1", "amount_paise": rupees(100) + 1}
    too_much = await client.post(f"/v1/wallets/{wallet_id}/refunds", json=refund)
    assert too_much.status_code == 422 and too_much.json()["allowed_paise"] == rupees(100)
    ok = await client.post(f"/v1/wallets/{wallet_id}/refunds", json={**refund, "amount_paise": rupees(100)})
    assert ok.status_code == 200 and ok.json()["balance_paise"] == rupees(500)


async def test_transfers_and_their_refusals(client: httpx.AsyncClient) -> None:
    sender = await open_wallet(client, customer_id="cust-a")
    receiver = await open_wallet(client, customer_id="cust-b", kyc="FULL")
    await client.post(f"/v1/wallets/{sender}/topups", json=TOPUP)
    body = {"transfer_id": "x-1", "to_wallet_id": receiver, "amount_paise": 100}
    refused = await client.post(f"/v1/wallets/{sender}/transfers", json=body)
    assert refused.status_code == 422 and refused.json()["rule"] == ppi.MIN_KYC_P2P_OUT
    kyc = {"level": "FULL", "document_type": "PAN", "document_last4": "123F"}
    assert (await client.post(f"/v1/wallets/{sender}/kyc", json=kyc)).status_code == 200
    sent = await client.post(f"/v1/wallets/{sender}/transfers", json=body)
    assert sent.status_code == 200 and sent.json()["balance_paise"] == rupees(500) - 100
    itself = await client.post(
        f"/v1/wallets/{sender}/transfers", json={**body, "transfer_id": "x-2", "to_wallet_id": sender}
    )
    assert itself.status_code == 422 and itself.json()["field"] == "to_wallet_id"


async def test_freeze_refuses_debits_and_close_needs_the_balance_gone(client: httpx.AsyncClient) -> None:
    wallet_id = await open_wallet(client, kyc="FULL")
    await client.post(f"/v1/wallets/{wallet_id}/topups", json=TOPUP)
    assert (await client.post(f"/v1/wallets/{wallet_id}/freeze", json={"reason": "dispute"})).status_code == 200
    pay = {"payment_id": "p-1", "merchant_id": "m-1", "amount_paise": 100}
    frozen = await client.post(f"/v1/wallets/{wallet_id}/payments", json=pay)
    assert frozen.status_code == 422 and frozen.json()["rule"] == ppi.FROZEN_NO_DEBIT
    assert (await client.post(f"/v1/wallets/{wallet_id}/unfreeze", json={"reason": "resolved"})).status_code == 200
    not_empty = await client.post(f"/v1/wallets/{wallet_id}/close")
    assert not_empty.status_code == 409 and not_empty.json()["field"] == "to_bank_account"
    closed = await client.post(f"/v1/wallets/{wallet_id}/close", json={"to_bank_account": "HDFC0001234:123456789012"})
    assert closed.status_code == 200 and closed.json()["paid_out_paise"] == rupees(500)
