"""After seeding: wait until the query service shows what was written, judged on a sample — each
sampled order's status as its story ends (so the lifecycle's later events are projected too),
the last products, wallets and accounts — and say how long the projection took."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from tests.load.dataset import Dataset
from tests.load.http import Connection, SetupError, Target, request_bytes

FINAL_STATUS = {
    "place_order": {"CONFIRMED"},  # COD: confirmed at once (a prepaid order has a payment step)
    "record_payment": {"CONFIRMED"},
    "cancel_order": {"CANCELLED"},
    "ship_order": {"SHIPPED"},
    "deliver_order": {"DELIVERED"},
}
FAILED_PAYMENT = {"PAYMENT_FAILED", "CANCELLED"}  # the payment saga, where it runs, cancels it


def expectations(data: Dataset, sample: int = 200) -> dict[str, set[str] | None]:
    """Path -> the statuses its view may show (None: only that it answers 200)."""
    spec = data.spec
    wanted: dict[str, set[str] | None] = {}
    step = max(1, spec.orders // sample)
    for i in [*range(0, spec.orders, step), *range(max(0, spec.orders - 20), spec.orders)]:
        story = data.order_story(i)
        last = story[-1]
        failed = last.kind == "record_payment" and last.body["status"] == "failed"
        wanted[f"/v1/orders/{data.order_id(i)}"] = FAILED_PAYMENT if failed else FINAL_STATUS[last.kind]
    for product in data.products[-10:]:
        wanted[f"/v1/products/{product.sku}"] = None
    for i in range(max(0, spec.wallets - 10), spec.wallets):
        wanted[f"/v1/wallets/{data.wallet_id(i)}"] = None
    for i in range(max(0, spec.accounts - 10), spec.accounts):
        wanted[f"/v1/accounts/{data.account_id(i)}"] = None
    return wanted


async def _missing(target: Target, authorization: str, wanted: dict[str, set[str] | None]) -> list[str]:
    conn = await Connection.open(target)
    try:
        missing = []
        for path, statuses in wanted.items():
            conn.send(request_bytes(target, path, authorization))
            code, body = await conn.response()
            if code != 200 or (statuses is not None and json.loads(body).get("status") not in statuses):
                missing.append(path)
        return missing
    finally:
        conn.close()


async def wait_for_views(data: Dataset, target: Target, authorization: str, *, timeout: float) -> dict[str, Any]:
    wanted = expectations(data)
    started = time.perf_counter()
    missing = list(wanted)
    while missing:
        missing = await _missing(target, authorization, {p: wanted[p] for p in missing})
        if not missing:
            break
        if time.perf_counter() - started > timeout:
            raise SetupError(
                f"the views did not show {len(missing)} of {len(wanted)} sampled documents "
                f"after {timeout:.0f} s (first: {missing[0]}): is the projector running?"
            )
        await asyncio.sleep(1.0)
    return {"sampled": len(wanted), "waited_seconds": round(time.perf_counter() - started, 1)}


async def preflight(target: Target, authorization: str | None, data: Dataset | None, placeholders: set[str]) -> None:
    """Before a run: the target answers, the token is accepted and the data set is seeded (its
    first order, product, wallet and account, as far as the scenario reads them); else a clear
    message instead of a report full of 401s or 404s."""
    paths = ["/healthz"]
    if data is not None:
        if placeholders & {"order", "customer", "search"}:
            paths.append(f"/v1/orders/{data.order_id(0)}")
        if "sku" in placeholders:
            paths.append(f"/v1/products/{data.products[0].sku}")
        if placeholders & {"wallet", "wallet_as_of"} and data.spec.wallets:
            paths.append(f"/v1/wallets/{data.wallet_id(0)}")
        if placeholders & {"account", "account_as_of"} and data.spec.accounts:
            paths.append(f"/v1/accounts/{data.account_id(0)}")
    try:
        conn = await Connection.open(target)
    except OSError as exc:
        raise SetupError(f"{target.url} does not answer ({exc}): is the query service running there?") from None
    try:
        for path in paths:
            conn.send(request_bytes(target, path, authorization))
            code, _ = await conn.response()
            if code in (401, 403):
                raise SetupError(
                    f"{path}: {code}: the token is refused (--token / BAHI_LOAD_TOKEN, or the key it was minted with)"
                )
            if code == 404:
                raise SetupError(
                    f"{path}: 404: the data set is not seeded there:"
                    " run `python -m tests.load seed` with the same options"
                )
            if code != 200:
                raise SetupError(f"{path}: {code}")
    finally:
        conn.close()
