"""Orders paid from the wallet, with in-memory stores: the hold, the report to the order, the
capture on confirmation, exactly once across redeliveries and a restart from a table that lost
its results; a refused hold fails the payment, and commerce's payment saga cancels the order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command_service.commerce.payment_saga import InMemoryWatchStore, PaymentSaga
from command_service.wallets import commands as c
from command_service.wallets.order_payment import (
    InMemoryOrderPaymentStore,
    NamedCommands,
    OrderPayment,
    UnknownCommandError,
)
from command_service.wallets.order_payment.flow import HoldState, Report
from shared.commerce.events import PaymentMethod
from tests.support.wallets import T0, WalletWorld, rupees
from tests.unit.wallets_pm.feed import MERCHANT, Feed, order_payment
from tests.unit.wallets_pm.shop import balances, place, shop, types, wallet_moves


async def test_an_order_paid_from_the_wallet_is_confirmed_and_its_hold_captured_once() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    await place(world, "ord-upi", payment_method=PaymentMethod.UPI)  # not the wallet's business
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    captured = (await world.store.read_stream("ord-1"))[1]
    assert (
        captured.data["provider_reference"] == "wallet:ord-1" and captured.metadata.actor == "saga:wallet_order_payment"
    )
    hold = (await world.store.read_stream(wallet_id))[-2]
    assert (hold.data["payment_id"], hold.data["merchant_id"], hold.data["amount_paise"]) == ("ord-1", MERCHANT, total)
    assert list(payments.payments) == ["ord-1"]
    paid = payments.payments["ord-1"]
    assert paid.settled and paid.paid and paid.hold is HoldState.CAPTURED and paid.report is Report.CAPTURED

    restarted = order_payment(world, payments)  # the same table, every event delivered again
    await feed.redeliver([restarted])
    assert await restarted.tick() == 0
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    assert await balances(world, wallet_id) == (rupees(1_000) - total, 0)
    assert await restarted.status() == {"unsettled": 0, "merchant_id": MERCHANT}


async def test_a_restart_from_a_table_that_lost_every_result_repeats_nothing() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump()
    # The table as it was when the order was first seen: every result since is lost.
    payments.payments = {"ord-1": OrderPayment("ord-1", "cust-1", total, T0, order_version=1)}
    restarted = order_payment(world, payments)
    await feed.redeliver([restarted])
    await restarted.tick()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    assert payments.payments["ord-1"].settled
    assert await balances(world, wallet_id) == (rupees(1_000) - total, 0)


@pytest.mark.parametrize(
    ("balance", "freeze", "customer", "why"),
    [
        (rupees(10), False, "cust-1", "no_overdraft"),
        (rupees(1_000), True, "cust-1", "frozen_no_debit"),
        (rupees(1_000), False, "cust-2", "customer cust-2 has no wallet"),
    ],
)
async def test_a_refused_hold_fails_the_payment_and_the_payment_saga_cancels_the_order(
    balance: int, freeze: bool, customer: str, why: str
) -> None:
    world = WalletWorld()
    wallet_id = await shop(world, balance)
    if freeze:
        await world.run(c.FreezeWallet(reason="dispute raised"), wallet_id)
    await place(world, customer=customer)
    payments = InMemoryOrderPaymentStore()
    saga = PaymentSaga(InMemoryWatchStore(), world.dispatch, world.clock, timedelta(minutes=15))
    feed = Feed(world, [order_payment(world, payments), saga])
    await feed.pump()
    assert await saga.tick() == 1  # a failed payment is cancelled at once
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentFailed", "OrderCancelled"]
    failed = (await world.store.read_stream("ord-1"))[1]
    assert why in failed.data["reason"] and failed.data["provider_reference"] == "wallet:ord-1:failed"
    assert await wallet_moves(world, wallet_id) == (["WalletFrozen"] if freeze else [])
    assert payments.payments["ord-1"].settled and payments.payments["ord-1"].report is Report.FAILED


def test_a_command_no_context_registers_fails_the_start() -> None:
    with pytest.raises(UnknownCommandError, match="RecordPayment"):
        NamedCommands([c.ExpireHold], WalletWorld().dispatch, needed=["RecordPayment"])
