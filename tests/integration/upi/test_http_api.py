"""The upi HTTP API end to end, every service its own OS process (command service, relay,
projector, query service): VPAs registered on an account and a wallet, payments both ways, their
events through PostgreSQL, the relay and Kafka into the read models, read back from the query
service — the VPA, the payment by RRN (read-your-writes with the payment's consistency token),
a VPA's payments, the account's statement and the wallet's balance — and refusals that append
nothing.

Assumes "upi" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from shared.upi import policy as upi
from tests.support import auth, processes
from tests.support.bank_http import wait_for
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.upi_http import UpiHttp

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
async def upi_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_upi") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(upi_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(upi_infra),
        processes.relay(upi_infra),
        processes.projector(upi_infra),
        processes.query(upi_infra),
    ]
    with processes.running(services) as running:
        yield running


def read(api: UpiHttp, path: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
    headers = {"X-Consistency-Token": token} if token else None
    response = api.get(f"{api.query}{path}", headers=headers, **kwargs)
    assert response.status_code == 200, response.text
    assert "X-Consistency-Timeout" not in response.headers
    return dict(response.json())


async def test_payments_reach_the_read_models_of_upi_banking_and_wallets(bahi: dict[str, processes.Service]) -> None:
    api = UpiHttp(bahi)
    asha, ravi = unique("cust-"), unique("cust-")
    account_id = api.open(asha)["account_id"]
    api.deposit(account_id, 20_000_00)
    wallet_id = api.wallet(ravi)
    payer, payee = f"{unique('asha.')}@bahi", f"{unique('ravi_')}@bahi"
    registered = api.vpa(payer, account_id=account_id)
    assert registered["customer_id"] == asha
    api.vpa(payee, wallet_id=wallet_id)

    paid = api.pay(payer, payee, 1_000_00, note="dinner")
    back = api.pay(payee, payer, 250_00)
    rrn = paid["rrn"]
    assert len(rrn) == 12 and rrn.isdigit() and back["rrn"] != rrn

    payment = read(api, f"/v1/upi/payments/{rrn}", paid["consistency_token"])
    assert (payment["payer_vpa"], payment["payee_vpa"], payment["amount_paise"]) == (payer, payee, 1_000_00)
    assert payment["status"] == "COMPLETED" and payment["payer"] == {"link_type": "ACCOUNT", "link_id": account_id}
    vpa = read(api, f"/v1/upi/vpas/{payee}")
    assert (vpa["link_type"], vpa["link_id"], vpa["customer_id"]) == ("WALLET", wallet_id, ravi)

    wait_for(
        "both payments in the payer's list",
        lambda: len(api.get(f"{api.query}/v1/upi/payments", params={"vpa": payer}).json()["items"]) == 2,
    )
    listed = read(api, "/v1/upi/payments", params={"vpa": payer, "limit": 1})
    assert [p["rrn"] for p in listed["items"]] == [back["rrn"]]  # newest first
    rest = read(api, "/v1/upi/payments", params={"vpa": payer, "limit": 1, "cursor": listed["next_cursor"]})
    assert [p["rrn"] for p in rest["items"]] == [rrn] and rest["next_cursor"] is None

    statement_url = f"{api.query}/v1/accounts/{account_id}/statement"
    wait_for("the UPI entries in the statement", lambda: len(api.get(statement_url).json()["items"]) == 3)
    entries = [(e["kind"], e["delta_paise"], e["balance_after_paise"]) for e in api.get(statement_url).json()["items"]]
    assert entries == [
        ("UPI_IN", 250_00, 19_250_00),
        ("UPI_OUT", -1_000_00, 19_000_00),
        ("DEPOSIT", 20_000_00, 20_000_00),
    ]
    wait_for(
        "the wallet's balance", lambda: api.get(f"{api.query}/v1/wallets/{wallet_id}").json()["balance_paise"] == 750_00
    )

    mine = api.get(f"{api.query}/v1/upi/payments/{rrn}", headers=auth.customer(ravi))
    assert mine.status_code == 200  # the payee's customer is a party
    theirs = api.get(f"{api.query}/v1/upi/payments/{rrn}", headers=auth.customer(unique("cust-")))
    assert theirs.status_code == 404
    assert api.get(f"{api.query}/v1/upi/vpas/{payer}", headers=auth.customer(ravi)).status_code == 404


async def test_refusals_are_4xx_naming_the_field_or_rule_and_append_nothing(bahi: dict[str, processes.Service]) -> None:
    api = UpiHttp(bahi)
    account_id = api.open(unique("cust-"))["account_id"]
    api.deposit(account_id, 20_000_00)
    wallet_id = api.wallet(unique("cust-"))
    payer, payee = f"{unique('p')}@bahi", f"{unique('q')}@bahi"
    api.vpa(payer, account_id=account_id)
    api.vpa(payee, wallet_id=wallet_id)
    api.pay(payer, payee, 1_000_00)
    trail = f"{api.cmd}/v1/accounts/{account_id}/audit"
    version = len(api.get(trail).json()["entries"])
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"amount_paise": 4_000_00 + 1}, 422, "rule", upi.NEW_VPA_WINDOW_MAX),  # a new VPA: ₹5,000 on its first day
        ({"amount_paise": 0}, 422, "field", "amount_paise"),
        ({"payee_vpa": "Q@bahi"}, 422, "field", "payee_vpa"),
        ({"payee_vpa": f"{unique('nobody')}@bahi"}, 404, "field", "payee_vpa"),
    ]
    for change, status, kind, name in cases:
        body = {"payment_id": unique("up-"), "payer_vpa": payer, "payee_vpa": payee, "amount_paise": 100, **change}
        response = auth.post(f"{api.cmd}/v1/upi/payments", json=body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        found = problem.get(kind) if kind == "rule" else problem.get("field") or problem["errors"][0]["field"]
        assert found == name, problem
    refused = auth.post(
        f"{api.cmd}/v1/upi/payments",
        json={"payment_id": unique("up-"), "payer_vpa": payer, "payee_vpa": payee, "amount_paise": 4_000_00 + 1},
    )
    assert refused.json()["allowed_paise"] == 4_000_00
    assert len(api.get(trail).json()["entries"]) == version
    taken = auth.post(f"{api.cmd}/v1/upi/vpas", json={"vpa": payer, "wallet_id": wallet_id})
    assert taken.status_code == 409 and taken.json()["field"] == "vpa"
