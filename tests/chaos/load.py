"""The steady mixed load the chaos suite drives: a shop (products with stock, prepaid orders
whose payment a provider then reports captured or failed; the payment saga cancels the failed
ones and releases their stock), restocks, and P2P transfers between full-KYC wallets funded
once; and reads of the views, through the query service. A few workers keep at it until told
to stop; every request goes through `tests.chaos.client` (retried with its key until answered)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from tests.chaos.client import Client, ClientLog, Operation
from tests.support.infra import unique

ADDRESS = {"name": "Meera", "line1": "7 Residency Road", "city": "Bengaluru", "state": "KA", "pincode": "560025"}


@dataclass
class Shop:
    stock: dict[str, int] = field(default_factory=dict)
    """SKU -> the stock it was created with."""
    wallets: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)


class Workload:
    def __init__(self, command: Client, query: Client, log: ClientLog, *, seed: int, workers: int = 4) -> None:
        self.command, self.query, self.log = command, query, log
        self.rng = random.Random(seed)
        self.workers = workers
        self.shop = Shop()

    async def setup(self, *, products: int = 12, stock: int = 400, wallets: int = 64, funds: int = 2_000_000) -> None:
        for _ in range(products):
            sku = unique("CHAOS-")
            body = {"sku": sku, "name": "Chaos Kettle", "category": "kitchen", "price_paise": 49_900, "stock": stock}
            op = await self.command.send(Operation("product", unique("k-"), "POST", "/v1/products", body))
            assert op.status == 201, op.answer
            self.shop.stock[sku] = stock
        for _ in range(wallets):
            body = {"customer_id": unique("cust-"), "mobile": "9876543210", "kyc": "FULL"}
            op = await self.command.send(Operation("wallet", unique("k-"), "POST", "/v1/wallets", body))
            assert op.status == 201, op.answer
            wallet_id = str(op.answer["wallet_id"])
            top_up = {"topup_id": unique("t-"), "amount_paise": funds, "source": "UPI", "reference": "upi-ref"}
            path = f"/v1/wallets/{wallet_id}/topups"
            op = await self.command.send(Operation("topup", unique("k-"), "POST", path, top_up))
            assert op.status == 200, op.answer
            self.shop.wallets.append(wallet_id)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._worker(stop) for _ in range(self.workers)))

    async def _worker(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            roll = self.rng.random()
            if roll < 0.4:
                await self.order()
            elif roll < 0.55:
                await self.restock()
            elif roll < 0.9:
                await self.transfer()
            else:
                await self.read()

    async def order(self) -> None:
        skus = self.rng.sample(sorted(self.shop.stock), self.rng.randint(1, 2))
        body = {
            "customer_id": unique("cust-"),
            "items": [{"sku": sku, "quantity": self.rng.randint(1, 3)} for sku in skus],
            "shipping_address": ADDRESS,
            "payment_method": self.rng.choice(["UPI", "CARD"]),
        }
        placed = await self.command.send(Operation("order", unique("k-"), "POST", "/v1/orders", body))
        if not placed.accepted:
            return  # out of stock: a 409, nothing appended
        order_id = str(placed.answer["order_id"])
        self.shop.orders.append(order_id)
        read = await self.command.send(Operation("stream", "", "GET", f"/v1/streams/{order_id}?limit=1"))
        assert read.status == 200, read.answer
        [first] = read.answer["events"]
        captured = self.rng.random() < 0.85
        report = {
            "status": "captured" if captured else "failed",
            "amount_paise": int(first["data"]["total_paise"]),
            "provider_reference": unique("upi-"),
            **({} if captured else {"reason": "declined by the bank"}),
        }
        await self.command.send(Operation("payment", unique("k-"), "POST", f"/v1/orders/{order_id}/payment", report))

    async def restock(self) -> None:
        sku = self.rng.choice(sorted(self.shop.stock))
        body = {"quantity": self.rng.randint(1, 10)}
        await self.command.send(Operation("restock", unique("k-"), "POST", f"/v1/products/{sku}/restock", body))

    async def transfer(self) -> None:
        sender, receiver = self.rng.sample(self.shop.wallets, 2)
        body = {"transfer_id": unique("tr-"), "to_wallet_id": receiver, "amount_paise": self.rng.randint(100, 5_000)}
        await self.command.send(Operation("transfer", unique("k-"), "POST", f"/v1/wallets/{sender}/transfers", body))

    async def read(self) -> None:
        if self.shop.orders and self.rng.random() < 0.6:
            path = f"/v1/orders/{self.rng.choice(self.shop.orders)}"
        else:
            path = f"/v1/wallets/{self.rng.choice(self.shop.wallets)}"
        await self.query.send(Operation("read", "", "GET", path))
