"""A store that is down makes the service in front of it wait, not fail: while PostgreSQL is
gone the command service answers every command 503 problem+json with `Retry-After` (never a
500), fails /readyz yet stays alive (/healthz), and once PostgreSQL is back it serves again by
itself, no restart; a command retried with its Idempotency-Key is made once. The same for the
query service and MongoDB, on the fast path (`GET /v1/products/{sku}`) and a routed read alike.

Against servers of the test's own (`tests.support.chaos_infra`), killed with SIGKILL; the
chaos run (tests/chaos/test_chaos.py) shows the same under load, with every other component."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support import auth, processes
from tests.support.chaos_infra import PrivateInfra, private_infra
from tests.support.infra import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow]

PRODUCT = {"name": "Steel Tiffin", "category": "kitchen", "price_paise": 34_900, "stock": 10}


@pytest.fixture(scope="module")
def servers() -> Iterator[PrivateInfra]:
    private = private_infra(ROOT / ".local" / "chaos" / f"outages-{uuid.uuid4().hex[:8]}")
    try:
        private.start("postgres", "mongo")
        yield private
    finally:
        private.stop()
        private.remove()


def until(what: str, done: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        time.sleep(0.1)


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["type"] == "https://bahi.dev/problems/unavailable"


def test_the_command_service_answers_503_while_postgres_is_down_and_recovers_by_itself(
    servers: PrivateInfra,
) -> None:
    with processes.running([processes.command(servers.infra)]) as running:
        command = running["command"]
        sku = f"TIFFIN-{uuid.uuid4().hex[:8]}"
        created = auth.post(f"{command.url}/v1/products", json={"sku": sku, **PRODUCT}, timeout=10)
        assert created.status_code == 201, created.text

        servers.postgres.kill()
        key = {"Idempotency-Key": f"restock-{sku}"}
        statuses = []
        for _ in range(5):  # pooled connections now dead, then new connections refused
            answer = auth.post(
                f"{command.url}/v1/products/{sku}/restock", json={"quantity": 4}, headers=key, timeout=10
            )
            assert_unavailable(answer)
            statuses.append(answer.status_code)
        assert httpx.get(f"{command.url}/readyz", timeout=10).status_code == 503
        assert httpx.get(f"{command.url}/healthz", timeout=10).status_code == 200
        assert command.process is not None and command.process.poll() is None  # waits; no exit, no restart

        servers.postgres.start()
        servers.postgres.wait_ready()
        until("the command service ready again", lambda: httpx.get(f"{command.url}/readyz").status_code == 200)
        for _ in range(2):  # the retry, then a retry of the retry: one restock
            answer = auth.post(
                f"{command.url}/v1/products/{sku}/restock", json={"quantity": 4}, headers=key, timeout=10
            )
            assert answer.status_code == 200, answer.text
        events = auth.get(f"{command.url}/v1/streams/product-{sku}", timeout=10).json()["events"]
        assert [e["event_type"] for e in events] == ["ProductCreated", "StockRestocked"]


def test_the_query_service_answers_503_while_mongodb_is_down_and_recovers_by_itself(servers: PrivateInfra) -> None:
    with processes.running([processes.query(servers.infra)]) as running:
        query = running["query"]
        reads = [f"{query.url}/v1/products/NO-SUCH-SKU", f"{query.url}/v1/products/NO-SUCH-SKU?min_version=1"]
        for url in reads:  # the fast path, then the routed read (a query string goes to FastAPI)
            assert auth.get(url, timeout=10).status_code == 404

        servers.mongo.kill()
        for url in reads:
            assert_unavailable(auth.get(url, timeout=30))
        assert httpx.get(f"{query.url}/readyz", timeout=30).status_code == 503
        assert query.process is not None and query.process.poll() is None

        servers.mongo.start()
        servers.mongo.wait_ready()
        until("the query service ready again", lambda: httpx.get(f"{query.url}/readyz", timeout=30).status_code == 200)
        for url in reads:
            assert auth.get(url, timeout=10).status_code == 404
