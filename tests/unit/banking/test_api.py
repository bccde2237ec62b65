"""The banking command routes over HTTP (ASGI, in-memory store, the service's own error
mapping): 201 with a generated account number; bad input a 4xx problem+json naming the field
or the rule, never a 500, nothing appended; movement ids as idempotency keys; an internal
transfer one atomic append to both accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.banking import policy as bank
from tests.support import auth
from tests.support.banking import IFSC, OTHER_IFSC, BankWorld, api, new_id, rupees

PROBLEM = "application/problem+json"
OPEN = {"customer_id": "cust-1", "holder_name": "Asha Rao", "type": "SAVINGS", "branch_ifsc": IFSC}
DEPOSIT = {"txn_id": "d-1", "amount_paise": rupees(5_000), "mode": "CASH", "narration": "cash at the counter"}
NEFT = {"transfer_id": "tr-1", "rail": "NEFT", "amount_paise": rupees(1_000), "to_account_number": "50100012345678"}


@pytest.fixture
def world() -> BankWorld:
    return BankWorld()


@pytest.fixture
async def client(world: BankWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with api(world) as c:
        yield c


async def open_account(client: httpx.AsyncClient, **body: str) -> dict[str, Any]:
    response = await client.post("/v1/accounts", json={**OPEN, **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_opening_answers_201_with_the_account_and_its_14_digit_number(client: httpx.AsyncClient) -> None:
    body = await open_account(client)
    assert body["account_id"].startswith("acc-") and body["status"] == "ACTIVE" and body["balance_paise"] == 0
    assert len(body["account_number"]) == 14 and body["account_number"].isdigit()
    assert body["type"] == "SAVINGS" and body["branch_ifsc"] == IFSC and body["version"] == 1
    other = await open_account(client)
    assert other["account_number"] != body["account_number"]


@pytest.mark.parametrize(
    "ifsc",
    ["HDFC0001234", "SBIN0ABC123", "ICIC0000000", "ABCD0Z9Y8X7"],
)
async def test_an_ifsc_of_four_capitals_a_zero_and_six_capitals_or_digits_is_accepted(
    client: httpx.AsyncClient, ifsc: str
) -> None:
    assert (await open_account(client, branch_ifsc=ifsc))["branch_ifsc"] == ifsc


@pytest.mark.parametrize(
    "ifsc",
    ["hdfc0001234", "HDFC1001234", "HDF00001234", "HDFC000123", "HDFC00012345", "HDFC000123a", "HD1C0001234", ""],
)
async def test_any_other_ifsc_is_a_422_naming_the_field_and_appends_nothing(
    client: httpx.AsyncClient, world: BankWorld, ifsc: str
) -> None:
    response = await client.post("/v1/accounts", json={**OPEN, "branch_ifsc": ifsc})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "branch_ifsc"
    assert await world.event_count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_paise": 0}, "amount_paise"),
        ({"amount_paise": "100"}, "amount_paise"),
        ({"amount_paise": 1.5}, "amount_paise"),
        ({"mode": "UPI"}, "mode"),
        ({"narration": ""}, "narration"),
        ({"txn_id": "a b"}, "txn_id"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_bad_deposit_input_is_a_422_naming_the_field_and_appends_nothing(
    client: httpx.AsyncClient, world: BankWorld, change: dict[str, Any], field: str
) -> None:
    account = await open_account(client)
    before = await world.event_count()
    response = await client.post(f"/v1/accounts/{account['account_id']}/deposits", json={**DEPOSIT, **change})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await world.event_count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rail": "INTERNAL", "to_account_number": "50100012345678", "to_ifsc": OTHER_IFSC}, "to_account_number"),
        ({"rail": "INTERNAL"}, "to_account_id"),
        ({"rail": "NEFT", "to_ifsc": OTHER_IFSC}, "to_account_number"),
        ({"rail": "NEFT", "to_account_number": "50100012345678"}, "to_ifsc"),
        (
            {
                "rail": "IMPS",
                "to_account_id": "acc-" + "1" * 32,
                "to_account_number": "501000123",
                "to_ifsc": OTHER_IFSC,
            },
            "to_account_id",
        ),
        ({"rail": "UPI", "to_account_number": "50100012345678", "to_ifsc": OTHER_IFSC}, "rail"),
        ({"rail": "NEFT", "to_account_number": "12345678", "to_ifsc": OTHER_IFSC}, "to_account_number"),
        ({"rail": "NEFT", "to_account_number": "1234567890123456789", "to_ifsc": OTHER_IFSC}, "to_account_number"),
        ({"rail": "NEFT", "to_account_number": "50100012345678", "to_ifsc": "HDFC1001234"}, "to_ifsc"),
    ],
)
async def test_a_transfer_names_its_target_as_its_rail_needs(
    client: httpx.AsyncClient, world: BankWorld, body: dict[str, Any], field: str
) -> None:
    account = await open_account(client)
    before = await world.event_count()
    request = {"transfer_id": "tr-1", "amount_paise": 100, **body}
    response = await client.post(f"/v1/accounts/{account['account_id']}/transfers", json=request)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await world.event_count() == before


async def test_a_rule_refusal_is_a_422_naming_the_rule_and_what_would_pass(
    client: httpx.AsyncClient, world: BankWorld
) -> None:
    account_id = (await open_account(client))["account_id"]
    assert (await client.post(f"/v1/accounts/{account_id}/deposits", json=DEPOSIT)).status_code == 200
    before = await world.event_count()
    rtgs = {**NEFT, "rail": "RTGS", "to_ifsc": OTHER_IFSC, "amount_paise": rupees(2_00_000) - 1}
    response = await client.post(f"/v1/accounts/{account_id}/transfers", json=rtgs)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert (problem["rule"], problem["minimum_paise"], problem["account_id"]) == (
        bank.RTGS_MIN,
        rupees(2_00_000),
        account_id,
    )
    over = await client.post(
        f"/v1/accounts/{account_id}/withdrawals", json={**DEPOSIT, "txn_id": "w-1", "amount_paise": rupees(5_000) + 1}
    )
    assert over.status_code == 422
    assert (over.json()["rule"], over.json()["allowed_paise"]) == (bank.NO_OVERDRAFT, rupees(5_000))
    assert await world.event_count() == before


async def test_a_txn_id_again_replays_and_with_another_body_is_a_409_naming_the_field(
    client: httpx.AsyncClient, world: BankWorld
) -> None:
    account_id = (await open_account(client))["account_id"]
    first = await client.post(f"/v1/accounts/{account_id}/deposits", json=DEPOSIT)
    count = await world.event_count()
    again = await client.post(f"/v1/accounts/{account_id}/deposits", json=DEPOSIT)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and await world.event_count() == count
    other = await client.post(f"/v1/accounts/{account_id}/deposits", json={**DEPOSIT, "amount_paise": 1})
    assert other.status_code == 409 and other.json()["field"] == "amount_paise" and other.json()["txn_id"] == "d-1"
    # a withdrawal is another kind of movement: the same txn_id is no replay of the deposit
    withdrawn = await client.post(f"/v1/accounts/{account_id}/withdrawals", json={**DEPOSIT, "amount_paise": 1})
    assert withdrawn.status_code == 200 and withdrawn.json()["balance_paise"] == rupees(5_000) - 1


async def test_an_internal_transfer_is_one_atomic_append_to_both_accounts(
    client: httpx.AsyncClient, world: BankWorld
) -> None:
    opened = await open_account(client)
    sender = opened["account_id"]
    receiver = await open_account(client, customer_id="cust-2", type="BSBD")
    await client.post(f"/v1/accounts/{sender}/deposits", json=DEPOSIT)
    body = {"transfer_id": "tr-9", "rail": "INTERNAL", "to_account_id": receiver["account_id"], "amount_paise": 700}
    response = await client.post(f"/v1/accounts/{sender}/transfers", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["transfer_status"], answer["balance_paise"]) == ("COMPLETED", rupees(5_000) - 700)
    [sent] = await world.store.read_stream(sender, 3)
    [received] = await world.store.read_stream(receiver["account_id"], 2)
    assert (sent.event_type, received.event_type) == ("AccountTransferSent", "AccountTransferReceived")
    assert sent.metadata.command_id == received.metadata.command_id and abs(sent.position - received.position) == 1
    assert (
        received.data["balance_after_paise"] == 700
        and received.data["from_account_number"]
        == answer["to_account_number"][:0] + received.data["from_account_number"]
    )
    refused = await client.post(
        f"/v1/accounts/{sender}/transfers", json={**body, "transfer_id": "tr-10", "amount_paise": rupees(50_000)}
    )
    assert refused.status_code == 422 and refused.json()["account_id"] == sender  # the sender's no_overdraft


async def test_an_unknown_account_is_a_404_and_a_malformed_id_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/v1/accounts/{new_id()}/deposits", json=DEPOSIT)
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert (await client.post("/v1/accounts/wal-1/deposits", json=DEPOSIT)).status_code == 422


async def test_a_customer_acts_on_its_own_accounts_only(client: httpx.AsyncClient) -> None:
    mine = (await open_account(client, customer_id="cust-7"))["account_id"]
    theirs = (await open_account(client, customer_id="cust-8"))["account_id"]
    await client.post(f"/v1/accounts/{mine}/deposits", json=DEPOSIT)
    await client.post(f"/v1/accounts/{theirs}/deposits", json={**DEPOSIT, "txn_id": "d-2"})
    me = auth.customer("cust-7")
    withdrawal = {**DEPOSIT, "txn_id": "w-1", "amount_paise": 100}
    assert (await client.post(f"/v1/accounts/{mine}/withdrawals", json=withdrawal, headers=me)).status_code == 200
    assert (await client.post(f"/v1/accounts/{theirs}/withdrawals", json=withdrawal, headers=me)).status_code == 404
    assert (await client.post(f"/v1/accounts/{mine}/deposits", json=DEPOSIT, headers=me)).status_code == 403
    opened = await client.post("/v1/accounts", json={**OPEN, "customer_id": "cust-8"}, headers=me)
    assert opened.status_code == 403


async def test_freezing_closing_and_the_charge_over_http(client: httpx.AsyncClient) -> None:
    account_id = (await open_account(client))["account_id"]
    frozen = await client.post(f"/v1/accounts/{account_id}/freeze", json={"reason": "KYC documents expired"})
    assert frozen.status_code == 200 and frozen.json()["status"] == "FROZEN"
    again = await client.post(f"/v1/accounts/{account_id}/freeze", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["allowed_next"] == ["ACTIVE", "CLOSED"]
    month = await client.post(f"/v1/accounts/{account_id}/charges/minimum-balance", json={"month": "2026-13"})
    assert month.status_code == 422 and month.json()["errors"][0]["field"] == "month"
    not_ended = await client.post(f"/v1/accounts/{account_id}/charges/minimum-balance", json={"month": "2026-11"})
    assert not_ended.status_code == 422 and not_ended.json()["field"] == "month"
    closed = await client.post(f"/v1/accounts/{account_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "CLOSED"


async def test_a_request_id_too_long_is_a_422_naming_the_header(client: httpx.AsyncClient, world: BankWorld) -> None:
    response = await client.post("/v1/accounts", json=OPEN, headers={"X-Request-Id": "r" * 201})
    assert response.status_code == 422 and response.json()["field"] == "X-Request-Id"
    assert await world.event_count() == 0
    given = await client.post("/v1/accounts", json=OPEN, headers={"X-Request-Id": "req-42"})
    [opened] = await world.store.read_stream(given.json()["account_id"])
    assert (opened.metadata.request_id, opened.metadata.actor) == ("req-42", auth.STAFF_SUBJECT)
    assert opened.metadata.reason == "SAVINGS account opened for cust-1"
