"""Orders paid from the wallet when things happen in an awkward order: the order cancelled, or
paid another way, before the manager sees its hold; a step that fails and is taken up by the
timer; a hold that expired before its capture (a direct debit pays the confirmed order); a hold
seen too close to its deadline to report it captured."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from command_service.commerce.commands import CancelOrder, RecordPayment
from command_service.handling import Dispatcher, Envelope, Outcome
from command_service.wallets.order_payment import InMemoryOrderPaymentStore, NamedCommands, OrderPaymentManager
from command_service.wallets.order_payment.flow import Report
from tests.support.wallets import T0, WalletWorld, rupees
from tests.unit.wallets_pm.feed import MERCHANT, TIMEOUT, Feed, hold_expiry, order_payment
from tests.unit.wallets_pm.shop import balances, place, shop, types, wallet_events, wallet_moves


async def test_a_cancelled_order_voids_its_hold() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump(hold_back=wallet_events)  # the hold is placed; its event is still on its way
    await world.run(CancelOrder(reason="ordered by mistake"), "ord-1")
    await feed.pump()  # the report is refused (If-Match: the order moved on), then the hold voided
    assert await types(world, "ord-1") == ["OrderPlaced", "OrderCancelled"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldVoided"]
    assert payments.payments["ord-1"].settled
    assert await balances(world, wallet_id) == (rupees(1_000), 0)


async def test_an_order_paid_another_way_voids_the_hold() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    feed = Feed(world, [order_payment(world)])
    await feed.pump(hold_back=wallet_events)
    upi = RecordPayment(status="captured", amount_paise=total, provider_reference="upi-77")
    await world.dispatch(Envelope(upi, target_id="ord-1"))
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert (await world.store.read_stream("ord-1"))[1].data["provider_reference"] == "upi-77"
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldVoided"]


async def test_a_step_that_fails_is_taken_up_by_the_timer() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    await place(world)
    calls = 0

    async def flaky(env: Envelope) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("connection to the store lost")
        return await world.dispatch(env)

    payments = InMemoryOrderPaymentStore()
    commerce = NamedCommands([RecordPayment], world.dispatch, needed=["RecordPayment"])
    dispatch = cast(Dispatcher, flaky)
    manager = OrderPaymentManager(
        payments, dispatch, commerce, world.store, world.clock, merchant_id=MERCHANT, hold_timeout=TIMEOUT
    )
    feed = Feed(world, [manager])
    await feed.pump()  # placing the hold failed: logged, the order left due
    assert await wallet_moves(world, wallet_id) == []
    assert await manager.tick() == 0
    await feed.pump()
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]


async def test_a_hold_that_expired_before_its_capture_is_paid_by_a_direct_debit() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    # The payment is reported; then the manager is down past the hold's deadline.
    await feed.pump(hold_back=lambda env: env.event_type in ("PaymentCaptured", "OrderConfirmed"))
    world.clock.now = T0 + TIMEOUT
    expiry = hold_expiry(world)
    await Feed(world, [expiry]).pump()
    assert await expiry.tick() == 1
    await feed.pump()
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldExpired", "WalletPaid"]
    debit = (await world.store.read_stream(wallet_id))[-1]
    assert (debit.data["payment_id"], debit.data["amount_paise"]) == ("ord-1.late", total)
    assert payments.payments["ord-1"].outcome == "PAID_LATE"
    assert await balances(world, wallet_id) == (rupees(1_000) - total, 0)


async def test_a_hold_seen_too_close_to_its_deadline_fails_the_payment_and_is_voided() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    await place(world)
    feed = Feed(world, [order_payment(world)])
    await feed.pump(hold_back=wallet_events)
    world.clock.now = T0 + TIMEOUT / 2 + timedelta(seconds=1)  # the hold's event arrives late
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentFailed"]
    assert "expires too soon" in (await world.store.read_stream("ord-1"))[1].data["reason"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldVoided"]


async def test_a_failure_reported_before_a_crash_is_not_reported_again_for_another_reason() -> None:
    world = WalletWorld()
    wallet_id = await shop(world, balance=rupees(10))
    total = await place(world)
    # Before the crash: reported failed (the wallet refused) under the step's key; the result was lost.
    earlier = RecordPayment(status="failed", amount_paise=total, provider_reference="wallet:ord-1:failed", reason="x")
    await world.dispatch(Envelope(earlier, idempotency_key="wallet-order:ord-1:report_failed", target_id="ord-1"))
    payments = InMemoryOrderPaymentStore()
    await Feed(world, [order_payment(world, payments)]).pump(hold_back=lambda env: env.event_type == "PaymentFailed")
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentFailed"]  # not a second one
    assert payments.payments["ord-1"].report is Report.FAILED
    assert await wallet_moves(world, wallet_id) == []
