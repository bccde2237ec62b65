"""The upi command routes over HTTP (ASGI, in-memory store, the service's own error mapping):
VPAs claimed once; a payment one atomic append of the payer VPA, the payer's debit and the
payee's credit across banking and wallets, with the RRN's claim (a key record); bad input a 4xx problem+json naming the
field or the rule, never a 500, nothing appended; `payment_id` an idempotency key; a customer
token acts only on its own accounts, wallets and VPAs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from command_service.upi import domain
from shared.banking.events import AccountUpiDebited
from shared.banking.streams import ACCOUNT
from shared.upi import policy as upi
from shared.upi.events import UpiPaymentSent
from shared.upi.streams import RRN, VPA
from shared.wallets import policy as ppi
from shared.wallets.events import WalletUpiCredited
from shared.wallets.values import KycLevel
from tests.support import auth
from tests.support.upi import UpiWorld, api, new_id, rupees

PROBLEM = "application/problem+json"


@pytest.fixture
def world() -> UpiWorld:
    return UpiWorld()


@pytest.fixture
async def client(world: UpiWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with api(world) as c:
        yield c


async def linked(world: UpiWorld, client: httpx.AsyncClient) -> tuple[str, str]:
    """asha@bahi on cust-1's account with ₹2,00,000; ravi@bahi on cust-2's wallet; both past their first day."""
    account, wallet = await world.account(rupees(2_00_000)), await world.wallet()
    for body in ({"vpa": "asha@bahi", "account_id": account}, {"vpa": "ravi@bahi", "wallet_id": wallet}):
        response = await client.post("/v1/upi/vpas", json=body)
        assert response.status_code == 201, response.text
    world.clock.advance(days=1)
    return account, wallet


def payment(**body: Any) -> dict[str, Any]:
    return {
        "payment_id": new_id("up-"),
        "payer_vpa": "asha@bahi",
        "payee_vpa": "ravi@bahi",
        "amount_paise": 100,
        **body,
    }


async def test_registering_answers_201_with_the_link_and_its_owner(world: UpiWorld, client: httpx.AsyncClient) -> None:
    account = await world.account()
    response = await client.post("/v1/upi/vpas", json={"vpa": "asha@bahi", "account_id": account})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["vpa"], body["link_type"], body["link_id"], body["customer_id"]) == (
        "asha@bahi",
        "ACCOUNT",
        account,
        "cust-1",
    )
    assert body["kind"] == "PERSON" and body["version"] == 1


async def test_a_vpa_is_claimed_once_a_second_registration_is_a_409_and_appends_nothing(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    account, wallet = await world.account(), await world.wallet()
    assert (await client.post("/v1/upi/vpas", json={"vpa": "asha@bahi", "account_id": account})).status_code == 201
    before = await world.event_count()
    again = await client.post("/v1/upi/vpas", json={"vpa": "asha@bahi", "wallet_id": wallet})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert again.json()["field"] == "vpa"
    assert await world.event_count() == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"vpa": "a" * 61 + "@bahi"}, 422, "vpa"),
        ({"vpa": "Asha@bahi"}, 422, "vpa"),
        ({"vpa": "asha@okaxis"}, 422, "vpa"),  # another psp's VPA is not registered here
        ({"vpa": "asha@bahi", "kind": "BANK"}, 422, "kind"),
        ({"vpa": "asha@bahi", "account_id": "acc-" + "9" * 32}, 404, "account_id"),
        ({"vpa": "asha@bahi", "account_id": None, "wallet_id": "wal-" + "9" * 32}, 404, "wallet_id"),
        ({"vpa": "asha@bahi", "account_id": None}, 422, "wallet_id"),
        ({"vpa": "asha@bahi", "account_id": "nope"}, 422, "account_id"),
    ],
)
async def test_a_bad_registration_is_a_4xx_naming_the_field_and_appends_nothing(
    world: UpiWorld, client: httpx.AsyncClient, body: dict[str, Any], status: int, field: str
) -> None:
    account = await world.account()
    before = await world.event_count()
    response = await client.post("/v1/upi/vpas", json={"account_id": account, **body})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert field in (problem.get("field"), *(e["field"] for e in problem.get("errors", [])))
    assert await world.event_count() == before


async def test_a_payment_from_an_account_to_a_wallet_is_one_append_to_three_streams_under_a_serial_rrn(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    account, wallet = await linked(world, client)
    response = await client.post("/v1/upi/payments", json=payment(amount_paise=rupees(1_000), note="rent"))
    assert response.status_code == 201, response.text
    body = response.json()
    rrn = body["rrn"]
    assert len(rrn) == 12 and rrn.isdigit() and body["status"] == "COMPLETED"
    assert body["payer_balance_after_paise"] == rupees(1_99_000)
    [sent] = [e for e in await world.events(VPA.stream_id("asha@bahi")) if isinstance(e, UpiPaymentSent)]
    assert sent.rrn == rrn and sent.payee_link_id == wallet
    assert rrn == domain.rrn_of(domain.rrn_prefix(world.clock.now), 0)  # the IST hour's first serial
    assert await world.events(RRN.stream_id(rrn)) == []  # no claim stream
    debit = (await world.events(ACCOUNT.stream_id(account)))[-1]
    credit = (await world.events(wallet))[-1]
    assert isinstance(debit, AccountUpiDebited) and debit.rrn == rrn and debit.amount_paise == rupees(1_000)
    assert isinstance(credit, WalletUpiCredited) and credit.rrn == rrn and credit.balance_after_paise == rupees(1_000)
    positions = {
        e.position
        for s in (VPA.stream_id("asha@bahi"), account, wallet)
        for e in (await world.store.read_stream(s))[-1:]
    }
    assert len(positions) == 3  # one transaction, consecutive positions
    assert max(positions) - min(positions) <= 3


async def test_a_payment_to_another_psps_vpa_is_pending_in_two_streams_and_replays_its_first_answer(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    account, _ = await linked(world, client)
    body = payment(payee_vpa="ravi@okaxis", amount_paise=rupees(2_000))
    before = await world.event_count()
    response = await client.post("/v1/upi/payments", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["status"], answer["completed_at"], answer["payer_balance_after_paise"]) == (
        "PENDING",
        None,
        rupees(1_98_000),
    )
    assert await world.event_count() == before + 2  # the payment and the debit: no payee leg
    [sent] = [e for e in await world.events(VPA.stream_id("asha@bahi")) if isinstance(e, UpiPaymentSent)]
    assert (sent.status.value, sent.payee_vpa, sent.payee_link_type) == ("PENDING", "ravi@okaxis", None)
    assert isinstance((await world.events(ACCOUNT.stream_id(account)))[-1], AccountUpiDebited)
    again = await client.post("/v1/upi/payments", json=body)
    assert again.status_code == 201 and again.json()["rrn"] == answer["rrn"]
    assert await world.event_count() == before + 2
    over = await client.post("/v1/upi/payments", json=payment(payee_vpa="ravi@okaxis", amount_paise=rupees(98_001)))
    assert over.status_code == 422 and over.json()["rule"] == upi.P2P_PER_DAY  # counted as P2P
    assert await world.event_count() == before + 2


async def test_the_same_payment_id_and_body_answer_the_first_result_and_append_nothing(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    await linked(world, client)
    body = payment()
    first = await client.post("/v1/upi/payments", json=body)
    before = await world.event_count()
    again = await client.post("/v1/upi/payments", json=body)
    assert again.status_code == 201 and again.json()["rrn"] == first.json()["rrn"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await client.post("/v1/upi/payments", json={**body, "amount_paise": 200})
    assert other.status_code == 409 and other.json()["field"] == "amount_paise"
    assert await world.event_count() == before


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"amount_paise": 0}, 422, "amount_paise"),
        ({"amount_paise": 1.5}, 422, "amount_paise"),
        ({"amount_paise": "100"}, 422, "amount_paise"),
        ({"payer_vpa": "ASHA@bahi"}, 422, "payer_vpa"),
        ({"payee_vpa": "r" * 61 + "@bahi"}, 422, "payee_vpa"),
        ({"payment_id": "no spaces"}, 422, "payment_id"),
        ({"payee_vpa": "nobody@bahi"}, 404, "payee_vpa"),
        ({"payer_vpa": "nobody@bahi"}, 404, "payer_vpa"),
        ({"payee_vpa": "asha@bahi"}, 422, "payee_vpa"),
        ({"amount_paise": rupees(1_00_000) + 1}, 422, "amount_paise"),
    ],
)
async def test_a_bad_payment_is_a_4xx_naming_the_field_and_appends_nothing(
    world: UpiWorld, client: httpx.AsyncClient, change: dict[str, Any], status: int, field: str
) -> None:
    await linked(world, client)
    before = await world.event_count()
    response = await client.post("/v1/upi/payments", json=payment(**change))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert field in (problem.get("field"), *(e["field"] for e in problem.get("errors", [])))
    assert await world.event_count() == before


async def test_a_refusal_names_the_upi_rule_and_what_would_have_passed(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    await linked(world, client)
    response = await client.post("/v1/upi/payments", json=payment(amount_paise=rupees(1_00_000) + 1))
    problem = response.json()
    assert (problem["rule"], problem["limit_paise"], problem["allowed_paise"]) == (
        upi.P2P_PER_TXN,
        rupees(1_00_000),
        rupees(1_00_000),
    )
    assert problem["vpa"] == "asha@bahi"


async def test_a_credit_the_payees_wallet_refuses_refuses_the_whole_payment(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    """A minimum-KYC wallet holds at most ₹10,000: the account is not debited either."""
    account = await world.account(rupees(50_000))
    small = await world.wallet(customer_id="cust-3", kyc=KycLevel.MINIMUM)
    await client.post("/v1/upi/vpas", json={"vpa": "asha@bahi", "account_id": account})
    await client.post("/v1/upi/vpas", json={"vpa": "mini@bahi", "wallet_id": small})
    world.clock.advance(days=1)
    before = await world.event_count()
    response = await client.post(
        "/v1/upi/payments", json=payment(payee_vpa="mini@bahi", amount_paise=rupees(10_000) + 1)
    )
    assert response.status_code == 422 and response.json()["wallet_id"] == small
    assert await world.event_count() == before
    assert await world.balance(account) == rupees(50_000)


async def test_an_overdraft_is_refused_by_the_payers_account(world: UpiWorld, client: httpx.AsyncClient) -> None:
    account, _ = await linked(world, client)
    for _ in range(2):
        paid = await client.post("/v1/upi/payments", json=payment(amount_paise=rupees(1_00_000)))
        assert paid.status_code == 201, paid.text
        world.clock.advance(days=1)
    response = await client.post("/v1/upi/payments", json=payment(amount_paise=1))
    assert response.status_code == 422 and response.json()["account_id"] == account
    assert response.json()["rule"] == "no_overdraft"


async def test_a_customer_registers_and_pays_only_on_its_own_accounts_wallets_and_vpas(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    account, wallet = await linked(world, client)  # the account is cust-1's, the wallet cust-2's
    mine = {"authorization": auth.customer("cust-1")["Authorization"]}
    other = {"authorization": auth.customer("cust-2")["Authorization"]}
    before = await world.event_count()
    hidden = await client.post("/v1/upi/vpas", json={"vpa": "x@bahi", "wallet_id": wallet}, headers=mine)
    assert hidden.status_code == 404
    assert (await client.post("/v1/upi/payments", json=payment(), headers=other)).status_code == 404
    assert await world.event_count() == before
    own = await client.post("/v1/upi/vpas", json={"vpa": "asha.two@bahi", "account_id": account}, headers=mine)
    assert own.status_code == 201
    paid = await client.post("/v1/upi/payments", json=payment(), headers=mine)
    assert paid.status_code == 201, paid.text


async def test_a_minimum_kyc_wallet_pays_merchants_by_upi_but_no_person(
    world: UpiWorld, client: httpx.AsyncClient
) -> None:
    small = await world.wallet(rupees(1_000), customer_id="cust-3", kyc=KycLevel.MINIMUM)
    shop, person = await world.wallet(customer_id="merchant-1"), await world.wallet(customer_id="cust-4")
    await client.post("/v1/upi/vpas", json={"vpa": "mini@bahi", "wallet_id": small})
    await client.post("/v1/upi/vpas", json={"vpa": "shop@bahi", "kind": "MERCHANT", "wallet_id": shop})
    await client.post("/v1/upi/vpas", json={"vpa": "ravi@bahi", "wallet_id": person})
    world.clock.advance(days=1)
    refused = await client.post("/v1/upi/payments", json=payment(payer_vpa="mini@bahi", payee_vpa="ravi@bahi"))
    assert refused.status_code == 422 and refused.json()["rule"] == ppi.MIN_KYC_P2P_OUT
    assert refused.json()["wallet_id"] == small
    paid = await client.post("/v1/upi/payments", json=payment(payer_vpa="mini@bahi", payee_vpa="shop@bahi"))
    assert paid.status_code == 201, paid.text
