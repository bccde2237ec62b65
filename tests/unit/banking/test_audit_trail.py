"""The audit trail and the temporal query, served by the command service from the event store:
three actors act on one account; `audit` names each of them, in order, with why, the request
id and the client's address; `state?as_of=` before and after each step answers the state of
that moment, and `state?version=` the same, from a snapshot where one helps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from command_service.banking import domain
from command_service.banking.aggregates import account_type
from command_service.handling.loading import load
from shared.banking.scopes import BANKING_AUDIT, BANKING_WRITE
from shared.banking.streams import ACCOUNT
from tests.support import auth
from tests.support.banking import IFSC, BankWorld, api, rupees, wall_clock

TELLER = auth.bearer(auth.token("teller-ravi", BANKING_WRITE))
COMPLIANCE = auth.bearer(auth.token("compliance-meera", BANKING_WRITE))
CUSTOMER = auth.customer("cust-asha")
AUDITOR = auth.bearer(auth.token("auditor-kiran", BANKING_AUDIT))


def moment() -> datetime:
    return datetime.now(UTC)


async def step(client: httpx.AsyncClient, path: str, body: dict[str, Any], who: dict[str, str], **headers: str) -> None:
    response = await client.post(path, json=body, headers={**who, **headers})
    assert response.status_code in (200, 201), response.text


async def test_three_actors_on_one_account_named_in_order_and_every_moment_rebuilt() -> None:
    world = BankWorld(clock=wall_clock)  # recorded time and event time from one clock
    async with api(world) as client:
        before_opening = moment()
        opened = await client.post(
            "/v1/accounts",
            json={"customer_id": "cust-asha", "holder_name": "Asha Rao", "type": "SAVINGS", "branch_ifsc": IFSC},
            headers=TELLER,
        )
        account_id = opened.json()["account_id"]
        path = f"/v1/accounts/{account_id}"
        moments = [moment()]
        cash = {"mode": "CASH", "narration": "cash deposit at the Koramangala branch"}
        await step(client, f"{path}/deposits", {"txn_id": "d-1", "amount_paise": rupees(10_000), **cash}, TELLER)
        moments.append(moment())
        atm = {"txn_id": "w-1", "amount_paise": rupees(2_500), "mode": "CASH", "narration": "ATM withdrawal"}
        await step(client, f"{path}/withdrawals", atm, CUSTOMER, **{"X-Request-Id": "req-asha-1"})
        moments.append(moment())
        await step(client, f"{path}/freeze", {"reason": "suspicious pattern reported by risk"}, COMPLIANCE)
        moments.append(moment())
        snapshot_state, snapshot_version = await load(
            world.store,
            account_type(snapshot_every=1),
            ACCOUNT.stream_id(account_id),
            domain.Account(account_id=account_id),
        )
        assert snapshot_version == 4 and (await world.store.latest_snapshot(account_id)) is not None
        await step(client, f"{path}/deposits", {"txn_id": "d-2", "amount_paise": rupees(100), **cash}, TELLER)
        moments.append(moment())
        await step(client, f"{path}/unfreeze", {"reason": "cleared by the review"}, COMPLIANCE)
        moments.append(moment())

        trail = await client.get(f"{path}/audit", headers=AUDITOR)
        assert trail.status_code == 200, trail.text
        entries = trail.json()["entries"]
        assert [(e["version"], e["event_type"], e["actor"]) for e in entries] == [
            (1, "AccountOpened", "teller-ravi"),
            (2, "AccountDeposited", "teller-ravi"),
            (3, "AccountWithdrawn", "cust-asha"),
            (4, "AccountFrozen", "compliance-meera"),
            (5, "AccountDeposited", "teller-ravi"),
            (6, "AccountUnfrozen", "compliance-meera"),
        ]
        assert [e["reason"] for e in entries][1:] == [
            "cash deposit at the Koramangala branch",
            "ATM withdrawal",
            "suspicious pattern reported by risk",
            "cash deposit at the Koramangala branch",
            "cleared by the review",
        ]
        assert entries[2]["request_id"] == "req-asha-1"
        assert all(e["request_id"] == e["command_id"] for e in entries if e["version"] != 3)
        assert {e["client_address"] for e in entries} == {"127.0.0.1"}  # httpx's ASGI client address
        assert [e.get("balance_after_paise") for e in entries] == [0, 1_000_000, 750_000, 750_000, 760_000, 760_000]

        expected = [
            (1, "ACTIVE", 0),
            (2, "ACTIVE", rupees(10_000)),
            (3, "ACTIVE", rupees(7_500)),
            (4, "FROZEN", rupees(7_500)),
            (5, "FROZEN", rupees(7_600)),
            (6, "ACTIVE", rupees(7_600)),
        ]
        missing = await client.get(f"{path}/state", params={"as_of": before_opening.isoformat()}, headers=AUDITOR)
        assert missing.status_code == 404 and missing.json()["field"] == "as_of"
        for at, (version, status, balance) in zip(moments, expected, strict=True):
            then = await client.get(f"{path}/state", params={"as_of": at.isoformat()}, headers=AUDITOR)
            assert then.status_code == 200, then.text
            body = then.json()
            assert (body["version"], body["state"]["status"], body["state"]["balance_paise"]) == (
                version,
                status,
                balance,
            )
            by_version = await client.get(f"{path}/state", params={"version": version}, headers=AUDITOR)
            assert by_version.json()["state"] == body["state"]  # versions 4 to 6 start from the snapshot at 4
        assert snapshot_state.balance_paise == rupees(7_500)


async def test_the_trail_pages_by_cursor_filters_by_time_and_is_for_auditors_only() -> None:
    world = BankWorld(clock=wall_clock)
    async with api(world) as client:
        body = {"customer_id": "cust-1", "holder_name": "Asha Rao", "type": "CURRENT", "branch_ifsc": IFSC}
        account_id = (await client.post("/v1/accounts", json=body)).json()["account_id"]
        path = f"/v1/accounts/{account_id}"
        marks = []
        for n in range(5):
            deposit = {"txn_id": f"d-{n}", "amount_paise": 100, "mode": "CHEQUE", "narration": f"cheque {n}"}
            await step(client, f"{path}/deposits", deposit, TELLER)
            marks.append(moment())
        pages, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(f"{path}/audit", params=params, headers=AUDITOR)).json()
            pages.append([e["version"] for e in page["entries"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == [[1, 2], [3, 4], [5, 6]]
        window = {"from": marks[0].isoformat(), "to": marks[2].isoformat()}
        between = (await client.get(f"{path}/audit", params=window, headers=AUDITOR)).json()["entries"]
        assert [e["txn_id"] for e in between] == ["d-1", "d-2"]
        naive = await client.get(f"{path}/audit", params={"from": "2026-12-01T10:00:00"}, headers=AUDITOR)
        assert naive.status_code == 422 and naive.json()["field"] == "from"
        assert (await client.get(f"{path}/audit", params={"limit": 0}, headers=AUDITOR)).status_code == 422
        assert (await client.get(f"{path}/audit", params={"cursor": "!!"}, headers=AUDITOR)).status_code == 422
        assert (await client.get(f"{path}/state", params={"version": 99}, headers=AUDITOR)).status_code == 422
        both = {"version": 1, "as_of": marks[0].isoformat()}
        assert (await client.get(f"{path}/state", params=both, headers=AUDITOR)).status_code == 422
        assert (await client.get(f"{path}/audit", headers=TELLER)).status_code == 403
        assert (await client.get(f"{path}/audit", headers=auth.customer("cust-1"))).status_code == 403
