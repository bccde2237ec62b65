"""The read side fed by the real write side: commands decided by the wallets domain (over the
in-memory event store, `tests.support.wallets.WalletWorld`), their stored events projected
through the engine into the MongoDB stand-in, then read over HTTP: the view's balance, held and
available money, the statement and a merchant's day agree with what the domain decided."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from command_service.wallets import commands as c
from tests.integration.wallets.conftest import Project
from tests.support.wallets import WalletWorld, rupees

pytestmark = pytest.mark.integration


async def test_what_the_domain_decided_is_what_the_reads_show(client: httpx.AsyncClient, project: Project) -> None:
    world = WalletWorld()
    wallet_id = await world.open("cust-cmd")
    await world.top_up(wallet_id, rupees(2_000), topup_id="t-cmd")
    world.clock.advance(minutes=5)
    await world.pay(wallet_id, rupees(300), payment_id="p-cmd", merchant_id="merch-cmd")
    await world.run(
        c.PayFromWallet(payment_id="h-cmd", merchant_id="merch-cmd", amount_paise=rupees(500), hold=True), wallet_id
    )
    await world.run(c.CaptureHold(payment_id="h-cmd", amount_paise=rupees(400)), wallet_id)
    await world.run(c.RefundToWallet(refund_id="r-cmd", payment_id="p-cmd", amount_paise=rupees(100)), wallet_id)
    await project(await world.store.read_all(0, 10_000))

    view = (await client.get(f"/v1/wallets/{wallet_id}")).json()
    assert (view["balance_paise"], view["held_paise"], view["available_paise"]) == (rupees(1_400), 0, rupees(1_400))
    assert view["version"] == 6 and view["customer_id"] == "cust-cmd" and view["open_holds"] == []
    items: list[dict[str, Any]] = (await client.get(f"/v1/wallets/{wallet_id}/statement")).json()["items"]
    assert [item["kind"] for item in items] == ["REFUND", "CAPTURE", "HOLD", "PAYMENT", "TOPUP"]
    assert items[0]["refund_id"] == "r-cmd" and items[-1]["topup_id"] == "t-cmd"
    assert items[0]["balance_after_paise"] == rupees(1_400)
    day = world.clock.now.date().isoformat()  # 06:05 UTC is the same date in India
    settled = (await client.get("/v1/merchants/merch-cmd/settlements", params={"date": day})).json()
    assert (settled["captured_paise"], settled["refunded_paise"], settled["net_paise"]) == (
        rupees(700),
        rupees(100),
        rupees(600),
    )
