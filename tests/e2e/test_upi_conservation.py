"""Money conservation across accounts, wallets and UPI together (the Jepsen "bank" workload),
over HTTP against the services running as their own OS processes: 4 accounts and 4 full-KYC
wallets funded with a known total, a VPA linked to each, 16 concurrent clients sending INTERNAL
transfers between accounts, P2P transfers between wallets and UPI payments between the VPAs
(account to wallet, wallet to account, and like to like), some larger than the balance, each
retried with the same id at random.

Then: the balances sum to the total on the command side (each stream's last event) and on the
read side (the account and wallet views and their statements, each caught up to the command
side's heads); every accepted id appears exactly twice across the statements (a debit and a
credit) and every refused one never."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.statements import statement_at

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

HOLDERS = 4
FUNDING = 50_000_00
MOVEMENTS = 600
CLIENTS = 16


@pytest.fixture(scope="module")
async def upi_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_upicons") as value:
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


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


async def send(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> int:
    """The definite answer: retried with the same id while undecided (a conflict the server's
    bounded retries did not absorb, or a dropped connection)."""
    for _ in range(50):
        try:
            response = await client.post(path, json=body)
        except httpx.TransportError:
            continue
        if response.status_code == 409 and response.json().get("title") == "Concurrent modification":
            continue
        assert response.status_code < 500, response.text
        return response.status_code
    raise AssertionError(f"{body} undecided after 50 attempts")


async def test_accounts_wallets_and_upi_conserve_money(bahi: dict[str, processes.Service]) -> None:
    rng = random.Random(20261201)
    async with httpx.AsyncClient(base_url=bahi["command"].url, timeout=30, headers=auth.STAFF) as client:
        accounts, wallets, vpas = [], [], {}
        for _ in range(HOLDERS):
            opened = await ok(
                await client.post(
                    "/v1/accounts",
                    json={
                        "customer_id": unique("c-"),
                        "holder_name": "A",
                        "type": "SAVINGS",
                        "branch_ifsc": "BAHI0000001",
                    },
                ),
                201,
            )
            account = opened["account_id"]
            deposit = {"txn_id": unique("d-"), "amount_paise": FUNDING, "mode": "CASH", "narration": "funding"}
            await ok(await client.post(f"/v1/accounts/{account}/deposits", json=deposit))
            body = {"customer_id": unique("c-"), "mobile": "9876543210", "kyc": "FULL"}
            wallet = (await ok(await client.post("/v1/wallets", json=body), 201))["wallet_id"]
            topup = {"topup_id": unique("t-"), "amount_paise": FUNDING, "source": "UPI", "reference": "r"}
            await ok(await client.post(f"/v1/wallets/{wallet}/topups", json=topup))
            for vpa, link in (
                (f"{unique('a')}@bahi", {"account_id": account}),
                (f"{unique('w')}@bahi", {"wallet_id": wallet}),
            ):
                await ok(await client.post("/v1/upi/vpas", json={"vpa": vpa, **link}), 201)
                vpas[vpa] = next(iter(link.values()))
            accounts.append(account)
            wallets.append(wallet)

        plan: list[tuple[str, dict[str, Any], float]] = []
        for n in range(MOVEMENTS):
            # new VPAs send ₹5,000 in their first day: UPI amounts are small, some still refused
            kind = rng.choice(["internal", "p2p", "upi"])
            big = rng.random() < 0.1
            if kind == "internal":
                source, target = rng.sample(accounts, 2)
                amount = FUNDING * 2 if big else rng.randrange(1, 5_000_00)
                body = {
                    "transfer_id": f"i-{n:05d}",
                    "rail": "INTERNAL",
                    "amount_paise": amount,
                    "to_account_id": target,
                }
                plan.append((f"/v1/accounts/{source}/transfers", body, rng.random()))
            elif kind == "p2p":
                source, target = rng.sample(wallets, 2)
                amount = FUNDING * 2 if big else rng.randrange(1, 5_000_00)
                body = {"transfer_id": f"p-{n:05d}", "to_wallet_id": target, "amount_paise": amount}
                plan.append((f"/v1/wallets/{source}/transfers", body, rng.random()))
            else:
                payer, payee = rng.sample(list(vpas), 2)
                amount = 6_000_00 if big else rng.randrange(1, 50_00)
                body = {"payment_id": f"u-{n:05d}", "payer_vpa": payer, "payee_vpa": payee, "amount_paise": amount}
                plan.append(("/v1/upi/payments", body, rng.random()))
        outcomes: dict[str, int] = {}
        queue: asyncio.Queue[tuple[str, dict[str, Any], float]] = asyncio.Queue()
        for item in plan:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                path, body, luck = queue.get_nowait()
                answers = [await send(client, path, body)]
                if luck < 0.3:  # a client that retries after its answer was lost
                    answers.append(await send(client, path, body))
                movement_id = body.get("transfer_id") or body["payment_id"]
                if answers[0] in (200, 201):  # once accepted, accepted: the same answer, nothing appended
                    assert answers[-1] == answers[0], (movement_id, answers)
                # a refused id recorded nothing: its retry is decided afresh and may pass
                passed = [a for a in answers if a in (200, 201)]
                outcomes[movement_id] = passed[0] if passed else answers[-1]

        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        accepted = {m for m, status in outcomes.items() if status in (200, 201)}
        refused = {m for m, status in outcomes.items() if status not in (200, 201)}
        assert len(outcomes) == MOVEMENTS and refused
        assert {outcomes[m] for m in refused} <= {409, 422}
        assert {m[0] for m in accepted} == {"i", "p", "u"}

        total, heads = 0, {}
        for stream in accounts + wallets:
            events = (await ok(await client.get(f"/v1/streams/{stream}", params={"limit": 1000})))["events"]
            assert len(events) < 1000
            total += events[-1]["data"]["balance_after_paise"]
            heads[stream] = events[-1]["version"]
        assert total == 2 * HOLDERS * FUNDING

    async with httpx.AsyncClient(base_url=bahi["query"].url, timeout=30, headers=auth.STAFF) as reads:
        read_total, seen = 0, {}
        for stream, version in heads.items():
            path = f"/v1/accounts/{stream}" if stream.startswith("acc-") else f"/v1/wallets/{stream}"
            for _ in range(100):
                view = await reads.get(path, params={"min_version": version})
                if view.status_code == 200 and "X-Consistency-Timeout" not in view.headers:
                    break
            assert view.json()["version"] >= version, view.text
            read_total += view.json()["balance_paise"]
            for entry in await statement_at(reads, path, stream, version):
                assert entry["balance_after_paise"] >= 0, entry
                moved = entry.get("transfer_id") or (
                    entry.get("payment_id") if entry["kind"].startswith("UPI") else None
                )
                if moved:
                    seen[moved] = seen.get(moved, 0) + 1
        assert read_total == 2 * HOLDERS * FUNDING
        assert set(seen) == accepted, (
            f"missing {sorted(accepted - set(seen))[:5]}, extra {sorted(set(seen) - accepted)[:5]}"
        )
        assert set(seen.values()) == {2}
