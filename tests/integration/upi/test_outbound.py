"""Payments leaving Bahi and collect requests end to end, every service its own OS process
(command service, relay, projector, query service, and the process managers' runner): a payment
to another psp's VPA answers 201 PENDING with the payer debited; the reversal process manager
takes it to the simulated switch — credited (COMPLETED), declined (DECLINED, credited back) or
no answer (DEEMED, then REVERSED by T+1: on time, no compensation); the payment view shows each
with its times and reason, the list filters by status, the payer's statement shows the reversal
and its balance comes back exactly. Collect requests: read by id and listed per VPA and status
(the payer's pending ones), accepted and declined, a customer seeing only its own.

Assumes "upi" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.support import auth, processes
from tests.support.bank_http import wait_for
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.upi_http import UpiHttp
from tests.support.wallet_http import runner

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
async def upi_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_upiout") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(upi_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(upi_infra),
        processes.relay(upi_infra),
        processes.projector(upi_infra),
        processes.query(upi_infra),
        runner(upi_infra),
    ]
    with processes.running(services) as running:
        yield running


def payment(api: UpiHttp, rrn: str) -> dict[str, Any]:
    response = api.get(f"{api.query}/v1/upi/payments/{rrn}")
    return dict(response.json()) if response.status_code == 200 else {}


def listed(api: UpiHttp, path: str, **params: str) -> list[dict[str, Any]]:
    response = api.get(f"{api.query}{path}", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_payments_leaving_bahi_are_completed_declined_or_reversed_by_t_plus_1(
    bahi: dict[str, processes.Service],
) -> None:
    api = UpiHttp(bahi)
    asha = unique("cust-")
    account_id = api.open(asha)["account_id"]
    api.deposit(account_id, 20_000_00)
    payer = f"{unique('asha.')}@bahi"
    api.vpa(payer, account_id=account_id)
    payees = {"COMPLETED": "shop@okaxis", "DECLINED": "shop.decline@okaxis", "REVERSED": "ravi.timeout@ybl"}
    sent = {status: api.pay(payer, payee, 1_000_00, note=status.lower()) for status, payee in payees.items()}
    for answer in sent.values():
        assert (answer["status"], answer["completed_at"]) == ("PENDING", None)
    assert sent["COMPLETED"]["payer_balance_after_paise"] == 19_000_00  # debited at once (the first of them)

    for status, answer in sent.items():
        rrn = answer["rrn"]
        wait_for(
            f"the payment to {payees[status]} {status}", lambda r=rrn, s=status: payment(api, r).get("status") == s
        )
    done, declined, reversed_ = (payment(api, sent[s]["rrn"]) for s in ("COMPLETED", "DECLINED", "REVERSED"))
    assert done["payee"] is None and done["leaves_bahi"] and done["completed_at"] >= done["occurred_at"]
    assert declined["reason"].startswith("DECLINED_BY_PAYEE_PSP") and declined["declined_at"]
    assert reversed_["reason"].startswith("TIMEOUT") and reversed_["deemed_at"] <= reversed_["reversed_at"]
    assert (reversed_["days_late"], reversed_["compensation_paise"]) == (0, 0)
    assert reversed_["reversed_at"] < reversed_["reverse_by"]

    for status, answer in sent.items():
        found = listed(api, "/v1/upi/payments", vpa=payer, status=status)
        assert [p["rrn"] for p in found] == [answer["rrn"]]
    assert listed(api, "/v1/upi/payments", vpa=payer, status="PENDING") == []
    bad = api.get(f"{api.query}/v1/upi/payments", params={"vpa": payer, "status": "LOST"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"

    statement = f"/v1/accounts/{account_id}/statement"
    wait_for("the reversals in the statement", lambda: len(listed(api, statement)) == 6)
    entries = listed(api, statement)  # newest first
    kinds = [(e["kind"], e["delta_paise"]) for e in entries]
    expected = [("UPI_REVERSAL", 1_000_00)] * 2 + [("UPI_OUT", -1_000_00)] * 3 + [("DEPOSIT", 20_000_00)]
    assert sorted(kinds) == sorted(expected)
    assert kinds[-1] == ("DEPOSIT", 20_000_00)
    # Each failed payment's credit back comes after its own debit (how it interleaves with the other
    # payments' entries depends on how fast the process manager answered).
    position = {(e["kind"], e.get("payment_id")): i for i, e in enumerate(entries)}
    for status in ("DECLINED", "REVERSED"):
        pid = sent[status]["payment_id"]
        assert position[("UPI_REVERSAL", pid)] < position[("UPI_OUT", pid)], (status, kinds)
    assert ("UPI_REVERSAL", sent["COMPLETED"]["payment_id"]) not in position
    assert listed(api, statement)[0]["balance_after_paise"] == 19_000_00  # only the credited one left Bahi
    assert api.state(account_id)["balance_paise"] == 19_000_00

    # Every payment has its answer: none waits on the account (its view says so), and it closes once empty.
    view = f"{api.query}/v1/accounts/{account_id}"
    wait_for("the account view with the three answers", lambda: api.get(view).json()["version"] == 8)
    assert (api.get(view).json()["pending_upi"], api.get(view).json()["pending_upi_paise"]) == ([], 0)
    assert api.state(account_id)["upi_open"] == {}
    rest = {"txn_id": unique("w-"), "amount_paise": 19_000_00, "mode": "CASH", "narration": "all of it"}
    api.post(f"/v1/accounts/{account_id}/withdrawals", rest)
    assert api.post(f"/v1/accounts/{account_id}/close", {"reason": "moving away"})["status"] == "CLOSED"

    mine = api.get(f"{api.query}/v1/upi/payments/{sent['REVERSED']['rrn']}", headers=auth.customer(asha))
    assert mine.status_code == 200
    theirs = api.get(f"{api.query}/v1/upi/payments/{sent['REVERSED']['rrn']}", headers=auth.customer(unique("c-")))
    assert theirs.status_code == 404


async def test_collect_requests_are_read_by_id_and_listed_per_vpa_and_status(
    bahi: dict[str, processes.Service],
) -> None:
    api = UpiHttp(bahi)
    ravi, merchant = unique("cust-"), unique("cust-")
    wallet_id = api.wallet(ravi, 5_000_00)
    shop_account = api.open(merchant)["account_id"]
    payer, shop = f"{unique('ravi.')}@bahi", f"{unique('shop.')}@bahi"
    api.vpa(payer, wallet_id=wallet_id)
    api.post("/v1/upi/vpas", {"vpa": shop, "kind": "MERCHANT", "account_id": shop_account}, expect=201)
    ids = [unique("col-") for _ in range(3)]
    for n, collect_id in enumerate(ids):
        body = {"collect_id": collect_id, "payee_vpa": shop, "payer_vpa": payer, "amount_paise": 100_00 + n}
        raised = api.post("/v1/upi/collects", body, expect=201)
        assert raised["status"] == "REQUESTED"
    token = raised["consistency_token"]
    read = api.get(f"{api.query}/v1/upi/collects/{ids[2]}", headers={"X-Consistency-Token": token})
    assert read.status_code == 200 and "X-Consistency-Timeout" not in read.headers, read.text
    doc = read.json()
    assert (doc["status"], doc["payer_vpa"], doc["payee_vpa"], doc["amount_paise"]) == (
        "REQUESTED",
        payer,
        shop,
        100_02,
    )
    assert read.headers["ETag"] and "customer_ids" not in doc

    paid = api.post(f"/v1/upi/collects/{ids[0]}/accept")
    api.post(f"/v1/upi/collects/{ids[1]}/decline", {"reason": "not ordered"})
    wait_for(
        "the answers in the collect view",
        lambda: (
            {c["collect_id"]: c["status"] for c in listed(api, "/v1/upi/collects", vpa=payer)}
            == {ids[0]: "ACCEPTED", ids[1]: "DECLINED", ids[2]: "REQUESTED"}
        ),
    )
    assert [c["collect_id"] for c in listed(api, "/v1/upi/collects", vpa=payer, status="REQUESTED")] == [ids[2]]
    assert [c["collect_id"] for c in listed(api, "/v1/upi/collects", vpa=shop)] == ids[::-1]  # newest first
    accepted = listed(api, "/v1/upi/collects", vpa=shop, status="ACCEPTED")
    assert [(c["collect_id"], c["rrn"]) for c in accepted] == [(ids[0], paid["rrn"])]
    assert listed(api, "/v1/upi/collects", vpa=shop, status="EXPIRED") == []
    first = api.get(f"{api.query}/v1/upi/collects", params={"vpa": shop, "limit": 2}).json()
    rest = listed(api, "/v1/upi/collects", vpa=shop, limit="2", cursor=first["next_cursor"])
    assert [c["collect_id"] for c in first["items"] + rest] == ids[::-1]

    assert api.get(f"{api.query}/v1/upi/collects/{ids[2]}", headers=auth.customer(ravi)).status_code == 200
    assert api.get(f"{api.query}/v1/upi/collects/{ids[2]}", headers=auth.customer(merchant)).status_code == 200
    assert api.get(f"{api.query}/v1/upi/collects/{ids[2]}", headers=auth.customer(unique("c-"))).status_code == 404
    others = api.get(f"{api.query}/v1/upi/collects", params={"vpa": payer}, headers=auth.customer(merchant))
    assert others.status_code == 404
    missing = api.get(f"{api.query}/v1/upi/collects/{unique('col-')}")
    assert missing.status_code == 404 and missing.json()["field"] == "collect_id"
