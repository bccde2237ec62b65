"""NEFT batch settlement with the settlement process manager killed (SIGKILL) and restarted in
the middle of a batch, every part its own OS process (command service, relay, the process
managers' runner): every transfer of the batch is settled or returned exactly once, each
returned one credited back once with its reason, and every account ends with exactly what the
clearing left it.

The kill point is chosen by observed progress: the runner is killed once some transfers of the
batch are answered in the event store and others are not yet (the simulated clearing takes
`PACE` seconds a transfer, so a batch takes seconds), never after a fixed sleep."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from tests.support import processes
from tests.support.bank_http import OTHER_IFSC, BankHttp, terminal_events, until, wait_for
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.wallet_http import runner

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

ACCOUNTS = 4
PER_ACCOUNT = 12
PACE = "0.08"
BATCH_SECONDS = "15"
ENV = {"BAHI_NEFT_BATCH_SECONDS": BATCH_SECONDS, "BAHI_SETTLEMENT_PACE_SECONDS": PACE}


@pytest.fixture(scope="module")
async def crash_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_neft") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(crash_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [processes.command(crash_infra), processes.relay(crash_infra), runner(crash_infra, **ENV)]
    with processes.running(services) as running:
        yield running


async def batches(infra: Infra, account_ids: list[str]) -> dict[str, str | None]:
    """Each transfer's NEFT batch, as the settlement manager's table holds it."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        rows = await conn.fetch(
            "SELECT transfer_id, batch_id FROM saga_bank_transfer_settlement WHERE account_id = ANY($1::text[])",
            account_ids,
        )
    finally:
        await conn.close()
    return {row["transfer_id"]: row["batch_id"] for row in rows}


def settle_status(saga: processes.Service) -> dict[str, object]:
    status: dict[str, dict[str, object]] = httpx.get(f"{saga.url}/status", timeout=5).json()
    return status["bank_transfer_settlement"]


async def test_a_batch_killed_midway_settles_or_returns_every_transfer_exactly_once(
    bahi: dict[str, processes.Service], crash_infra: Infra
) -> None:
    api, saga = BankHttp(bahi), bahi["saga"]
    accounts = [api.open(unique("cust-"))["account_id"] for _ in range(ACCOUNTS)]
    for account_id in accounts:
        api.deposit(account_id, 10_00_000_00)
    amounts: dict[str, int] = {}
    returned: set[str] = set()
    owner: dict[str, str] = {}
    for n in range(PER_ACCOUNT):
        for a, account_id in enumerate(accounts):
            back = n % 4 == 1  # a quarter go to an account number ending in 000: returned
            number = f"5010{a:02d}{n:04d}{'000' if back else '123'}"  # a new payee each: under ₹50,000
            paise = 1_000_00 + 100 * n + a
            answer = api.transfer(account_id, paise, "NEFT", to_account_number=number, to_ifsc=OTHER_IFSC)
            transfer_id = answer["transfer_id"]
            amounts[transfer_id], owner[transfer_id] = paise, account_id
            if back:
                returned.add(transfer_id)
    total = len(amounts)

    async def every_transfer_in_the_table() -> dict[str, str | None] | None:
        found = await batches(crash_infra, accounts)
        return found if len(found) == total else None

    seen = await until("every transfer in the settlement table", every_transfer_in_the_table)
    biggest, members = Counter(seen.values()).most_common(1)[0]
    in_batch = {t for t, batch in seen.items() if batch == biggest}
    assert members >= total // 2

    async def under_way() -> bool:
        return len(set(await terminal_events(crash_infra, accounts)) & in_batch) >= 5

    await until("the batch to be under way", under_way)
    saga.kill()  # SIGKILL: a transfer may be answered in the store and not yet marked done
    at_kill = set(await terminal_events(crash_infra, accounts))
    assert 5 <= len(at_kill & in_batch) < len(in_batch), "the kill was not in the middle of the batch"

    saga.start().wait_ready(60)

    async def all_answered() -> bool:
        return len(await terminal_events(crash_infra, accounts)) == total

    await until("every transfer settled or returned", all_answered, timeout=120)
    wait_for("the manager to have nothing waiting", lambda: settle_status(saga)["waiting"] == 0)

    answers = await terminal_events(crash_infra, accounts)
    assert {t: len(events) for t, events in answers.items()} == dict.fromkeys(amounts, 1)
    for transfer_id, [event] in answers.items():
        expected = "AccountTransferReturned" if transfer_id in returned else "AccountTransferSettled"
        assert event["event_type"] == expected, transfer_id
        assert event["amount_paise"] == amounts[transfer_id]
        assert event["batch_id"] is not None and event["batch_id"].startswith("NEFT-")
        if transfer_id in returned:
            assert event["reason"].startswith("ACCOUNT_DOES_NOT_EXIST")
    for account_id in accounts:
        state = api.state(account_id)
        kept = sum(p for t, p in amounts.items() if owner[t] == account_id and t not in returned)
        assert (state["balance_paise"], state["pending_transfers"]) == (10_00_000_00 - kept, [])
