"""Driving the banking context over HTTP against the services as OS processes (the command
service, and the process managers' runner beside it for settlements): what the banking
integration tests share. Requests carry the suite's staff token unless they name another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import httpx

from tests.support import auth, processes
from tests.support.infra import Infra, unique

T = TypeVar("T")
IFSC = "BAHI0000001"
OTHER_IFSC = "HDFC0001234"


async def until(what: str, check: Callable[[], Awaitable[T | None]], timeout: float = 90.0, every: float = 0.02) -> T:
    """The first truthy answer of `check()` (asked every `every` seconds), or fail naming `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := await check()):
        if loop.time() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        await asyncio.sleep(every)
    return found


def wait_for(what: str, done: Callable[[], bool], timeout: float = 60.0, every: float = 0.05) -> None:
    """Until `done()` holds (looked at every `every` seconds), or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(every)


class BankHttp:
    def __init__(self, bahi: dict[str, processes.Service]) -> None:
        self.cmd = bahi["command"].url
        self.query = bahi["query"].url if "query" in bahi else None

    def post(self, path: str, body: dict[str, Any] | None = None, expect: int = 200, **headers: str) -> dict[str, Any]:
        response = auth.post(f"{self.cmd}{path}", json=body, headers=headers or None, timeout=10)
        assert response.status_code == expect, response.text
        return dict(response.json())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return auth.get(url, timeout=10, **kwargs)

    def open(self, customer_id: str, kind: str = "SAVINGS") -> dict[str, Any]:
        body = {"customer_id": customer_id, "holder_name": "Asha Rao", "type": kind, "branch_ifsc": IFSC}
        return self.post("/v1/accounts", body, expect=201)

    def deposit(self, account_id: str, paise: int, narration: str = "cash at the counter") -> dict[str, Any]:
        body = {"txn_id": unique("d-"), "amount_paise": paise, "mode": "CASH", "narration": narration}
        return self.post(f"/v1/accounts/{account_id}/deposits", body)

    def transfer(self, account_id: str, paise: int, rail: str, **target: str) -> dict[str, Any]:
        body = {"transfer_id": unique("tr-"), "rail": rail, "amount_paise": paise, **target}
        return self.post(f"/v1/accounts/{account_id}/transfers", body)

    def state(self, account_id: str) -> dict[str, Any]:
        response = self.get(f"{self.cmd}/v1/accounts/{account_id}/state")
        assert response.status_code == 200, response.text
        return dict(response.json()["state"])


async def terminal_events(infra: Infra, account_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per transfer id, the settlements and returns the event store holds for these accounts."""
    conn = await asyncpg.connect(infra.pg_dsn)
    try:
        rows = await conn.fetch(
            """SELECT data->>'transfer_id' AS transfer_id, event_type, data->>'reason' AS reason,
                      data->>'batch_id' AS batch_id, (data->>'amount_paise')::bigint AS amount_paise
               FROM bahi_events WHERE stream_id = ANY($1::text[])
                 AND event_type IN ('AccountTransferSettled', 'AccountTransferReturned')
               ORDER BY position""",
            account_ids,
        )
    finally:
        await conn.close()
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["transfer_id"], []).append(dict(row))
    return found
