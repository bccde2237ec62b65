"""A small shop for the order-payment tests: a product, the customer's wallet, orders paid from it,
and what the streams say afterwards."""

from __future__ import annotations

from typing import Any

from command_service.commerce.commands import CreateProduct, OrderItem, PlaceOrder
from command_service.commerce.commands import ShippingAddress as Address
from shared.commerce.events import PaymentMethod
from shared.envelope import EventEnvelope
from tests.support.wallets import WalletWorld, new_id, rupees

ADDRESS = Address(name="Asha", line1="12 MG Road", city="Pune", state="MH", pincode="411001")


async def shop(world: WalletWorld, balance: int = rupees(1_000), customer: str = "cust-1") -> str:
    """A product (₹100 before GST) and the customer's wallet with `balance`."""
    await world.run(CreateProduct(sku="P", name="Phone", category="books", price_paise=rupees(100), stock=5))
    wallet_id = await world.open(customer)
    if balance:
        await world.top_up(wallet_id, balance)
    return wallet_id


async def place(world: WalletWorld, order_id: str = "ord-1", customer: str = "cust-1", **fields: Any) -> int:
    """The order's total."""
    body = {"payment_method": PaymentMethod.WALLET, **fields}
    order = PlaceOrder(customer_id=customer, items=[OrderItem(sku="P", quantity=1)], shipping_address=ADDRESS, **body)
    await world.run(order, order_id)
    return int((await world.store.read_stream(order_id))[0].data["total_paise"])


async def types(world: WalletWorld, stream_id: str) -> list[str]:
    return [e.event_type for e in await world.store.read_stream(stream_id)]


async def wallet_moves(world: WalletWorld, wallet_id: str) -> list[str]:
    return [t for t in await types(world, wallet_id) if t not in ("WalletOpened", "WalletToppedUp")]


async def balances(world: WalletWorld, wallet_id: str) -> tuple[int, int]:
    """(balance, held), read from the answer of a one-paisa top-up."""
    answer = (await world.top_up(wallet_id, 1, topup_id=new_id("probe-"))).response
    return int(answer["balance_paise"]) - 1, int(answer["held_paise"])


def wallet_events(env: EventEnvelope) -> bool:
    return env.stream_type == "wallet"
