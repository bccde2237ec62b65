"""Payments leaving Bahi with the reversal process manager killed (SIGKILL) and restarted in the
middle of its work, every part its own OS process (command service, relay, the process managers'
runner): every payment is answered by the switch exactly once, every declined one credited back
once, every unanswered one deemed once and reversed to its payer once (on time: no
compensation), and every account ends with exactly what the switch left it.

The kill point is chosen by observed progress: the runner is killed once some payments are
reversed in the event store and others not yet (the simulated switch takes `PACE` seconds a
payment, so the run takes seconds), never after a fixed sleep."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from tests.support import processes
from tests.support.bank_http import until, wait_for
from tests.support.infra import Infra, fresh_infra, unique
from tests.support.upi_http import UpiHttp
from tests.support.wallet_http import runner

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

PAYERS = 4
PER_PAYER = 12
PACE = "0.08"
OUTCOMES = ("UpiPaymentCompleted", "UpiPaymentDeclined", "UpiPaymentDeemed", "UpiPaymentReversed")


@pytest.fixture(scope="module")
async def crash_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_upirev") as value:
        yield value


@pytest.fixture(scope="module")
def bahi(crash_infra: Infra) -> Iterator[dict[str, processes.Service]]:
    services = [
        processes.command(crash_infra),
        processes.relay(crash_infra),
        runner(crash_infra, BAHI_UPI_SWITCH_PACE_SECONDS=PACE),
    ]
    with processes.running(services) as running:
        yield running


async def outcomes(infra: Infra, vpas: list[str]) -> dict[str, list[str]]:
    """Per payment id, the switch's answers and reversals the event store holds for these VPAs."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        rows = await conn.fetch(
            """SELECT data->>'payment_id' AS payment_id, event_type FROM bahi_events
               WHERE stream_id = ANY($1::text[]) AND event_type = ANY($2::text[]) ORDER BY position""",
            [f"upi-vpa-{vpa}" for vpa in vpas],
            list(OUTCOMES),
        )
    finally:
        await conn.close()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["payment_id"], []).append(row["event_type"])
    return found


async def reversal_legs(infra: Infra, account_ids: list[str]) -> Counter[str]:
    """Per payment id, how many times the accounts were credited back."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        rows = await conn.fetch(
            """SELECT data->>'payment_id' AS payment_id FROM bahi_events
               WHERE stream_id = ANY($1::text[]) AND event_type = 'AccountUpiReversed'""",
            account_ids,
        )
    finally:
        await conn.close()
    return Counter(row["payment_id"] for row in rows)


def reversal_status(saga: processes.Service) -> dict[str, object]:
    status: dict[str, dict[str, object]] = httpx.get(f"{saga.url}/status", timeout=5).json()
    return status["upi_payment_reversal"]


async def test_a_run_killed_midway_answers_and_reverses_every_payment_exactly_once(
    bahi: dict[str, processes.Service], crash_infra: Infra
) -> None:
    api, saga = UpiHttp(bahi), bahi["saga"]
    accounts, vpas = [], []
    for _ in range(PAYERS):
        account_id = api.open(unique("cust-"))["account_id"]
        api.deposit(account_id, 10_000_00)
        vpa = f"{unique('payer.')}@bahi"
        api.vpa(vpa, account_id=account_id)
        accounts.append(account_id)
        vpas.append(vpa)
    expected: dict[str, list[str]] = {}
    kept = Counter[str]()
    for n in range(PER_PAYER):
        for p, vpa in enumerate(vpas):
            payee = ("shop@okaxis", "shop.decline@okaxis")[n % 4] if n % 4 < 2 else f"r{n}.timeout@ybl"
            paise = 100_00 + 10 * n + p  # within a new VPA's ₹5,000 on its first day
            answer = api.pay(vpa, payee, paise)
            assert answer["status"] == "PENDING"
            if n % 4 == 0:
                expected[answer["payment_id"]] = ["UpiPaymentCompleted"]
                kept[accounts[p]] += paise
            elif n % 4 == 1:
                expected[answer["payment_id"]] = ["UpiPaymentDeclined"]
            else:
                expected[answer["payment_id"]] = ["UpiPaymentDeemed", "UpiPaymentReversed"]
    deemed = {pid for pid, kinds in expected.items() if "UpiPaymentReversed" in kinds}

    async def under_way() -> bool:
        found = await outcomes(crash_infra, vpas)
        return sum("UpiPaymentReversed" in kinds for kinds in found.values()) >= 3

    await until("the reversals to be under way", under_way)
    saga.kill()  # SIGKILL: a command may be recorded in the store and not yet marked in the table
    at_kill = await outcomes(crash_infra, vpas)
    reversed_at_kill = {pid for pid, kinds in at_kill.items() if "UpiPaymentReversed" in kinds}
    assert 3 <= len(reversed_at_kill) < len(deemed), "the kill was not in the middle of the run"

    saga.start().wait_ready(60)

    async def all_done() -> bool:
        found = await outcomes(crash_infra, vpas)
        return sum(len(kinds) for kinds in found.values()) == sum(len(kinds) for kinds in expected.values())

    await until("every payment answered and every deemed one reversed", all_done, timeout=180)
    wait_for("the manager to have nothing waiting", lambda: reversal_status(saga)["waiting"] == 0)

    assert await outcomes(crash_infra, vpas) == expected
    legs = await reversal_legs(crash_infra, accounts)
    declined_or_deemed = {pid for pid, kinds in expected.items() if kinds != ["UpiPaymentCompleted"]}
    assert legs == Counter(dict.fromkeys(declined_or_deemed, 1))
    for account_id in accounts:
        assert api.state(account_id)["balance_paise"] == 10_000_00 - kept[account_id]
