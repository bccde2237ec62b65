"""Money conservation under concurrency (the Jepsen "bank" workload), over HTTP against the
services running as their own OS processes: 20 full-KYC wallets funded with a known total,
16 concurrent clients sending 2,000 random P2P transfers (some larger than the balance), each
retried at random with the same `transfer_id`, some retries racing the first attempt.

Then: the balances sum to the total on the command side (the event store's audit trail) and on
the read side (the wallet views), no statement ever shows a negative balance, every accepted
`transfer_id` appears exactly twice across the statements (a debit and a credit) and every
rejected one never."""

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

WALLETS = 20
FUNDING = 50_000_00  # ₹50,000 each: under the full-KYC cap, so every top-up passes
TRANSFERS = 2_000
CLIENTS = 16


@pytest.fixture(scope="module")
async def bank_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_bank") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(bank_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(bank_infra),
        processes.relay(bank_infra),
        processes.projector(bank_infra),
        processes.query(bank_infra),
    ]
    with processes.running(services) as running:
        yield running


async def open_funded(client: httpx.AsyncClient) -> str:
    body = {"customer_id": unique("bank-"), "mobile": f"9{random.randrange(10**8, 10**9)}", "kyc": "FULL"}
    opened = await client.post("/v1/wallets", json=body)
    assert opened.status_code == 201, opened.text
    wallet_id = str(opened.json()["wallet_id"])
    topup = {"topup_id": unique("fund-"), "amount_paise": FUNDING, "source": "UPI", "reference": "UPI-REF-1"}
    funded = await client.post(f"/v1/wallets/{wallet_id}/topups", json=topup)
    assert funded.status_code == 200, funded.text
    return wallet_id


async def send(client: httpx.AsyncClient, wallet: str, body: dict[str, Any]) -> int:
    """The definite answer for a transfer: retried with the same id while it is undecided (a 409
    of a conflict the server's bounded retries did not absorb, or a dropped connection)."""
    for _ in range(50):
        try:
            response = await client.post(f"/v1/wallets/{wallet}/transfers", json=body)
        except httpx.TransportError:
            continue
        if response.status_code == 409 and response.json().get("title") == "Concurrent modification":
            continue
        assert response.status_code < 500, response.text
        return response.status_code
    raise AssertionError(f"transfer {body['transfer_id']} undecided after 50 attempts")


async def test_concurrent_transfers_conserve_money(bahi: dict[str, processes.Service]) -> None:
    rng = random.Random(20261201)
    async with httpx.AsyncClient(base_url=bahi["command"].url, timeout=30, headers=auth.STAFF) as client:
        wallets = [await open_funded(client) for _ in range(WALLETS)]
        plan = []
        for n in range(TRANSFERS):
            source, target = rng.sample(wallets, 2)
            amount = rng.choice([rng.randrange(1, 5_000_00), rng.randrange(1, 40_000_00), FUNDING * 2])
            body = {"transfer_id": f"t-{n:05d}", "to_wallet_id": target, "amount_paise": amount, "note": "bank"}
            plan.append((source, body, rng.random()))
        outcomes: dict[str, int] = {}
        queue: asyncio.Queue[tuple[str, dict[str, Any], float]] = asyncio.Queue()
        for item in plan:
            queue.put_nowait(item)

        async def worker() -> None:
            # An accepted id answers 200 for ever; a refused one recorded nothing, so a retry is
            # decided afresh and may pass once the wallet has received money (README, wallets).
            while not queue.empty():
                source, body, luck = queue.get_nowait()
                if luck < 0.15:  # a client that retries at once, racing its own first attempt
                    answers = list(await asyncio.gather(send(client, source, body), send(client, source, body)))
                else:
                    answers = [await send(client, source, body)]
                    if luck < 0.4:  # a client that retries later, after its answer was lost
                        answers.append(await send(client, source, body))
                if luck >= 0.15 and 200 in answers:  # sequential: once accepted, accepted
                    assert answers[answers.index(200) :] == [200] * (len(answers) - answers.index(200)), answers
                if 200 in answers:  # (racing twins may be refused on the state before the other passed)
                    assert await send(client, source, body) == 200  # still accepted, nothing appended again
                outcomes[body["transfer_id"]] = 200 if 200 in answers else answers[-1]

        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        accepted = {t for t, status in outcomes.items() if status == 200}
        rejected = {t for t, status in outcomes.items() if status != 200}
        assert len(outcomes) == TRANSFERS and accepted and rejected
        assert {outcomes[t] for t in rejected} <= {409, 422}

        # The command side: each wallet's last event says its balance.
        total, heads = 0, {}
        for wallet in wallets:
            events = (await client.get(f"/v1/streams/{wallet}", params={"limit": 1000})).json()["events"]
            while len(events) % 1000 == 0 and events:
                more = await client.get(
                    f"/v1/streams/{wallet}", params={"from_version": len(events) + 1, "limit": 1000}
                )
                if more.status_code != 200:
                    break
                events += more.json()["events"]
            total += events[-1]["data"]["balance_after_paise"]
            heads[wallet] = events[-1]["version"]
        assert total == WALLETS * FUNDING

    async with httpx.AsyncClient(base_url=bahi["query"].url, timeout=30, headers=auth.STAFF) as reads:
        views = await caught_up(reads, heads)
        assert sum(v["balance_paise"] for v in views) == WALLETS * FUNDING
        seen: dict[str, int] = {}
        for wallet in wallets:
            for entry in await statement_at(reads, f"/v1/wallets/{wallet}", wallet, heads[wallet]):
                assert entry["balance_after_paise"] >= 0, entry
                if entry.get("transfer_id"):
                    seen[entry["transfer_id"]] = seen.get(entry["transfer_id"], 0) + 1
        assert set(seen) == accepted, (
            f"missing {sorted(accepted - set(seen))[:5]}, extra {sorted(set(seen) - accepted)[:5]}"
        )
        assert set(seen.values()) == {2}


async def caught_up(reads: httpx.AsyncClient, heads: dict[str, int]) -> list[dict[str, Any]]:
    """The wallet views once each has applied its stream up to the head the command side showed
    (`min_version`: the query service waits, bounded, and says when it gave up). Asked again for
    as long as the view moves: only 20 bounded waits in a row without progress fail."""
    views = []
    for wallet, version in heads.items():
        stalled, seen = 0, -1
        while True:
            view = await reads.get(f"/v1/wallets/{wallet}", params={"min_version": version})
            if view.status_code == 200 and "X-Consistency-Timeout" not in view.headers:
                break
            now = int(view.json().get("version", 0)) if view.status_code == 200 else 0
            stalled, seen = (0, now) if now > seen else (stalled + 1, seen)
            assert stalled < 20, f"{wallet}: its view stopped at version {seen}, the stream is at {version}"
        assert view.json()["version"] >= version, view.text
        views.append(view.json())
    return views
