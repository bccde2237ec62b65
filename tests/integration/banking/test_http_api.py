"""The banking HTTP API end to end, every service its own OS process (command service, relay,
projector, query service, the process managers' runner): commands on the command service,
their events through PostgreSQL, the relay and Kafka into the read models, read back from the
query service — the account, its statement with running balances, its balance at past moments,
a customer's accounts — and the audit trail and a past state from the command service.

Assumes "banking" is in `shared.contexts.CONTEXTS` (the services find their contexts there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support import auth, processes
from tests.support.bank_http import OTHER_IFSC, BankHttp, wait_for
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.wallet_http import runner

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
async def bank_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_banking") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(bank_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(bank_infra),
        processes.relay(bank_infra),
        processes.projector(bank_infra),
        processes.query(bank_infra),
        runner(bank_infra, BAHI_NEFT_BATCH_SECONDS="2"),  # NEFT batches every 2 s, not every half hour
    ]
    with processes.running(services) as running:
        yield running


def now() -> datetime:
    return datetime.now(UTC)


def account_view(api: BankHttp, account_id: str, token: str | None = None) -> dict[str, Any]:
    headers = {"X-Consistency-Token": token} if token else None
    response = api.get(f"{api.query}/v1/accounts/{account_id}", headers=headers)
    assert response.status_code == 200, response.text
    assert "X-Consistency-Timeout" not in response.headers
    return dict(response.json())


async def test_commands_reach_the_read_models_and_the_audit_trail(bahi: dict[str, processes.Service]) -> None:
    api = BankHttp(bahi)
    customer = unique("cust-")
    savings = api.open(customer)
    basic = api.open(customer, "BSBD")
    account_id = savings["account_id"]
    api.deposit(account_id, 50_000_00)
    between = now()
    api.post(
        f"/v1/accounts/{account_id}/withdrawals",
        {"txn_id": unique("w-"), "amount_paise": 5_000_00, "mode": "CASH", "narration": "ATM"},
    )
    api.transfer(account_id, 10_000_00, "INTERNAL", to_account_id=basic["account_id"])
    imps = api.transfer(account_id, 2_000_00, "IMPS", to_account_number="50100012345678", to_ifsc=OTHER_IFSC)
    neft = api.transfer(account_id, 1_500_00, "NEFT", to_account_number="50100099999000", to_ifsc=OTHER_IFSC)
    assert (imps["transfer_status"], neft["balance_paise"]) == ("PENDING", 31_500_00)

    view = account_view(api, account_id, neft["consistency_token"])
    assert view["account_number"] == savings["account_number"]
    # At the NEFT debit's version or later: the debit shows, unless the clearing (a batch every 2 s)
    # already returned it, and a slow machine may read after that: then the return shows too.
    statement_url = f"{api.query}/v1/accounts/{account_id}/statement"
    if view["balance_paise"] != 31_500_00:
        assert view["balance_paise"] == 33_000_00, view
        wait_for(
            "the return that put it back",
            lambda: api.get(statement_url).json()["items"][0]["kind"] == "TRANSFER_RETURN",
        )
    # the clearing settles the IMPS transfer at once and returns the NEFT one in its batch
    wait_for(
        "the settlement of both transfers",
        lambda: account_view(api, account_id)["pending_out_paise"] == 0,
        timeout=90,
    )
    wait_for(
        "the return in the statement", lambda: api.get(statement_url).json()["items"][0]["kind"] == "TRANSFER_RETURN"
    )
    accounts_url = f"{api.query}/v1/customers/{customer}/accounts"
    wait_for("both accounts in the customer's list", lambda: len(api.get(accounts_url).json()["items"]) == 2)
    settled = account_view(api, account_id)
    assert settled["balance_paise"] == 33_000_00 and settled["status"] == "ACTIVE"
    assert settled["limits"]["minimum_average_balance_paise"] == 10_000_00

    statement = api.get(statement_url, params={"limit": 3}).json()
    kinds = [(e["kind"], e["delta_paise"], e["balance_after_paise"]) for e in statement["items"]]
    assert kinds == [
        ("TRANSFER_RETURN", 1_500_00, 33_000_00),
        ("TRANSFER_OUT", -1_500_00, 31_500_00),
        ("TRANSFER_OUT", -2_000_00, 33_000_00),
    ]
    assert statement["items"][0]["reason"].startswith("ACCOUNT_DOES_NOT_EXIST")
    rest = api.get(statement_url, params={"limit": 3, "cursor": statement["next_cursor"]}).json()
    assert [e["kind"] for e in rest["items"]] == ["INTERNAL_OUT", "WITHDRAWAL", "DEPOSIT"]
    assert rest["next_cursor"] is None

    then = api.get(f"{api.query}/v1/accounts/{account_id}/balance", params={"as_of": between.isoformat()}).json()
    assert (then["balance_paise"], then["event"]) == (50_000_00, "AccountDeposited")
    before = api.get(f"{api.query}/v1/accounts/{account_id}/balance", params={"as_of": "2020-01-01T00:00:00Z"})
    assert before.status_code == 404 and before.json()["field"] == "as_of"
    naive = api.get(f"{api.query}/v1/accounts/{account_id}/balance", params={"as_of": "2026-12-01T10:00:00"})
    assert naive.status_code == 422 and naive.headers["content-type"] == "application/problem+json"

    mine = api.get(accounts_url, headers=auth.customer(customer)).json()
    assert [a["account_id"] for a in mine["items"]] == [basic["account_id"], account_id]
    assert mine["items"][0]["balance_paise"] == 10_000_00
    theirs = api.get(accounts_url, headers=auth.customer(unique("cust-")))
    assert theirs.status_code == 404

    trail = api.get(f"{api.cmd}/v1/accounts/{account_id}/audit").json()["entries"]
    ours = [e for e in trail if e["actor"] == auth.STAFF_SUBJECT]
    clearing = [e for e in trail if e["actor"] == "saga:bank_transfer_settlement"]
    assert [e["event_type"] for e in ours] == [
        "AccountOpened",
        "AccountDeposited",
        "AccountWithdrawn",
        "AccountTransferSent",
        "AccountTransferInitiated",
        "AccountTransferInitiated",
    ]
    # the IMPS settlement may come before the NEFT transfer is initiated: the clearing is that fast
    assert sorted((e["event_type"], e["transfer_id"]) for e in clearing) == [
        ("AccountTransferReturned", neft["transfer_id"]),
        ("AccountTransferSettled", imps["transfer_id"]),
    ]
    assert len(trail) == 8 and [e["version"] for e in trail] == list(range(1, 9))
    assert all(e["client_address"] == "127.0.0.1" for e in ours) and ours[2]["reason"] == "ATM"
    assert clearing[0]["client_address"] is None and "returned" in next(
        e["reason"] for e in clearing if "Returned" in e["event_type"]
    )
    past = api.get(f"{api.cmd}/v1/accounts/{account_id}/state", params={"as_of": between.isoformat()}).json()
    assert (past["version"], past["state"]["balance_paise"]) == (2, 50_000_00)


async def test_bad_input_is_a_4xx_naming_the_field_or_rule_and_appends_nothing(
    bahi: dict[str, processes.Service],
) -> None:
    api = BankHttp(bahi)
    account_id = api.open(unique("cust-"))["account_id"]
    api.deposit(account_id, 3_00_000_00)
    version = len(api.get(f"{api.cmd}/v1/accounts/{account_id}/audit").json()["entries"])
    payee = {"to_account_number": "501000123456", "to_ifsc": OTHER_IFSC}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"rail": "RTGS", "amount_paise": 2_00_000_00 - 1, **payee}, "rule", "rtgs.min_paise"),
        ({"rail": "NEFT", "amount_paise": 50_000_00 + 1, **payee}, "rule", "new_payee.first_window_max_paise"),
        ({"rail": "IMPS", "amount_paise": 100, **payee, "to_ifsc": "hdfc0001234"}, "field", "to_ifsc"),
        ({"rail": "INTERNAL", "amount_paise": 100}, "field", "to_account_id"),
        ({"rail": "NEFT", "amount_paise": -5, **payee}, "field", "amount_paise"),
    ]
    for body, kind, name in cases:
        response = auth.post(
            f"{api.cmd}/v1/accounts/{account_id}/transfers", json={"transfer_id": unique("t-"), **body}
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["rule"] if kind == "rule" else problem["errors"][0]["field"]) == name, problem
    assert len(api.get(f"{api.cmd}/v1/accounts/{account_id}/audit").json()["entries"]) == version
    unknown = api.get(f"{api.query}/v1/accounts/acc-{'0' * 32}")
    assert unknown.status_code == 404
