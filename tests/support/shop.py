"""A customer and an operator of the shop over HTTP only, for tests that run Bahi as separate
processes or containers: products and orders through a command URL, views through query URLs,
each read retried until it shows what the test waits for (with a deadline, never a fixed sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support import auth
from tests.support.infra import unique

ADDRESS = {"name": "Asha", "line1": "12 MG Road", "city": "Bengaluru", "state": "KA", "pincode": "560001"}


class Shop:
    def __init__(self, command_url: str) -> None:
        self.command = command_url

    def product(self, stock: int = 50, price: int = 129_900) -> str:
        sku = unique("SKU-")
        body = {"sku": sku, "name": "Boat Airdopes 141", "category": "electronics", "price_paise": price}
        body["stock"] = stock
        created = auth.post(f"{self.command}/v1/products", json=body, timeout=10)
        assert created.status_code == 201, created.text
        return sku

    def place(self, sku: str, method: str = "COD", qty: int = 1) -> str:
        body = {
            "customer_id": unique("cust-"),
            "items": [{"sku": sku, "quantity": qty}],
            "shipping_address": ADDRESS,
            "payment_method": method,
        }
        placed = auth.post(f"{self.command}/v1/orders", json=body, timeout=10)
        assert placed.status_code == 201, placed.text
        return str(placed.json()["order_id"])

    def payment_failed(self, order_id: str, total: int) -> None:
        body = {"status": "failed", "amount_paise": total, "provider_reference": unique("upi-"), "reason": "declined"}
        answer = auth.post(f"{self.command}/v1/orders/{order_id}/payment", json=body, timeout=10)
        assert answer.status_code == 200, answer.text


def read_until(
    url: str, done: Callable[[httpx.Response], bool], timeout: float = 60.0, what: str = ""
) -> dict[str, Any]:
    """GET `url` until `done(answer)`; the JSON body of that answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer: httpx.Response | None = auth.get(url, timeout=5)
        except httpx.HTTPError:
            answer = None
        if answer is not None and done(answer):
            return dict(answer.json())
        if time.monotonic() > deadline:
            last = f"{answer.status_code} {answer.text[:300]}" if answer is not None else "no answer"
            raise AssertionError(f"{what or url}: not there after {timeout:.0f} s; last answer {last}")
        time.sleep(0.1)


def has_status(status: str) -> Callable[[httpx.Response], bool]:
    return lambda r: r.status_code == 200 and r.json().get("status") == status
