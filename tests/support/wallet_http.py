"""Driving the wallets context over HTTP against the command service as an OS process, with
the process managers' runner (`python -m command_service.sagas`) beside it: what the wallet
process-manager tests (integration and e2e) share."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support import auth, processes
from tests.support.infra import Infra, unique

ADDRESS = {"name": "Ravi", "line1": "4 Park Street", "city": "Kolkata", "state": "WB", "pincode": "700016"}


def runner(infra: Infra, **env: str) -> processes.Service:
    """The process managers' runner, ticking every 0.2 s, with `env` on top."""
    port = processes.free_port()
    settings = processes.service_env(infra, BAHI_SAGA_PORT=str(port), BAHI_SAGA_TICK_SECONDS="0.2", **env)
    return processes.Service("saga", "command_service.sagas", port, settings)


def wait_for(what: str, done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(0.2)


class WalletHttp:
    def __init__(self, bahi: dict[str, processes.Service]) -> None:
        self.cmd = bahi["command"].url

    def post(self, path: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        response = auth.post(f"{self.cmd}{path}", json=body, timeout=10)
        assert response.status_code == expect, response.text
        return dict(response.json())

    def wallet(self, customer: str, paise: int) -> str:
        body = {"customer_id": customer, "mobile": "9876543210", "kyc": "MINIMUM"}
        wallet_id = str(self.post("/v1/wallets", body, expect=201)["wallet_id"])
        self.top_up(wallet_id, paise)
        return wallet_id

    def top_up(self, wallet_id: str, paise: int) -> dict[str, Any]:
        body = {"topup_id": unique("t-"), "amount_paise": paise, "source": "UPI", "reference": "upi-ref"}
        return self.post(f"/v1/wallets/{wallet_id}/topups", body)

    def hold(self, wallet_id: str, payment_id: str, paise: int) -> None:
        body = {"payment_id": payment_id, "merchant_id": "merch-1", "amount_paise": paise, "hold": True}
        assert self.post(f"/v1/wallets/{wallet_id}/payments", body)["payment_status"] == "HELD"

    def order(self, customer: str, price: int = 50_000) -> str:
        sku = unique("SKU-")
        product = {"sku": sku, "name": "Boat Airdopes 141", "category": "electronics", "price_paise": price, "stock": 5}
        self.post("/v1/products", product, expect=201)
        body = {
            "customer_id": customer,
            "items": [{"sku": sku, "quantity": 1}],
            "shipping_address": ADDRESS,
            "payment_method": "WALLET",
        }
        return str(self.post("/v1/orders", body, expect=201)["order_id"])

    def events(self, stream_id: str) -> list[dict[str, Any]]:
        response = auth.get(f"{self.cmd}/v1/streams/{stream_id}", params={"limit": 100}, timeout=10)
        return [] if response.status_code == 404 else list(response.json()["events"])

    def types(self, stream_id: str) -> list[str]:
        return [e["event_type"] for e in self.events(stream_id)]
