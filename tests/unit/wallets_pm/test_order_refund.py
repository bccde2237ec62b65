"""Orders paid from the wallet and cancelled after the wallet took the money: the refund, with
in-memory stores. Cancelled once the hold was captured (or a late debit paid the order), the
customer gets exactly what was taken back, against the payment that took it, under a refund id
derived from the order id — once, however often the cancellation is delivered again, the manager
restarts, or a crash loses the refund's answer. Cancelled after confirmation but before the
capture, the hold is voided and nothing is refunded (commerce records a refund due on its side,
see `test_cancelled_before_the_capture_the_hold_is_voided_and_nothing_refunded`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import cast

import pytest

from command_service.commerce.commands import CancelOrder, RecordPayment
from command_service.handling import Dispatcher, Envelope, Outcome
from command_service.wallets import commands as c
from command_service.wallets.order_payment import (
    InMemoryOrderPaymentStore,
    NamedCommands,
    OrderPayment,
    OrderPaymentManager,
    Step,
    next_step,
)
from command_service.wallets.order_payment.flow import (
    HoldState,
    OrderState,
    Refund,
    Report,
    late_payment_id,
    refund_id,
    taken,
)
from tests.support.wallets import T0, WalletWorld, rupees
from tests.unit.wallets_pm.feed import MERCHANT, TIMEOUT, Feed, hold_expiry, order_payment
from tests.unit.wallets_pm.shop import balances, place, shop, types, wallet_moves

MARGIN = TIMEOUT / 2


async def balance(world: WalletWorld, wallet_id: str) -> int:
    """The balance after the wallet's last event (every wallet event carries it; nothing moved)."""
    return int((await world.store.read_stream(wallet_id))[-1].data["balance_after_paise"])


PAID = OrderPayment(
    "ord-1",
    "cust-1",
    11_800,
    T0,
    order=OrderState.CONFIRMED,
    order_version=3,
    paid=True,
    wallet_id="wal-1",
    hold=HoldState.CAPTURED,
    hold_version=4,
    captured_paise=11_800,
    report=Report.CAPTURED,
)
"""Confirmed, paid from the wallet, its hold captured: settled, until the order is cancelled."""
CANCELLED = replace(PAID, order=OrderState.CANCELLED, order_version=4)


# --- the steps, from the facts (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("payment", "step"),
    [
        (PAID, None),
        (CANCELLED, Step.REFUND),
        (replace(CANCELLED, refund=Refund.REFUNDED), None),
        (replace(CANCELLED, refund=Refund.REFUSED), None),  # refused: not asked again
        (replace(CANCELLED, hold=HoldState.HELD, captured_paise=None), Step.VOID),  # cancelled before the capture
        (replace(CANCELLED, hold=HoldState.VOIDED, captured_paise=None), None),
        (replace(CANCELLED, hold=HoldState.EXPIRED, captured_paise=None), None),
        (replace(CANCELLED, hold=HoldState.EXPIRED, captured_paise=None, debited_paise=11_800), Step.REFUND),
        (replace(PAID, hold=HoldState.EXPIRED, captured_paise=None), Step.LATE_DEBIT),
        (replace(PAID, hold=HoldState.EXPIRED, captured_paise=None, debited_paise=11_800), None),  # debited once
        (replace(CANCELLED, paid=False, report=Report.FAILED, hold=HoldState.VOIDED, captured_paise=None), None),
    ],
    ids=[
        "paid",
        "cancelled-captured",
        "refunded",
        "refused",
        "cancelled-held",
        "cancelled-voided",
        "cancelled-expired",
        "cancelled-late-debit",
        "confirmed-expired",
        "confirmed-debited",
        "failed",
    ],
)
def test_the_step_after_a_cancellation(payment: OrderPayment, step: Step | None) -> None:
    assert next_step(payment, T0, MARGIN) is step


def test_what_is_refunded_is_what_the_wallet_took_against_the_payment_that_took_it() -> None:
    assert taken(CANCELLED) == ("ord-1", 11_800)
    assert taken(replace(CANCELLED, captured_paise=5_000)) == ("ord-1", 5_000)  # captured in part
    assert taken(replace(CANCELLED, captured_paise=None)) == ("ord-1", 11_800)  # captured before the column
    late = replace(CANCELLED, hold=HoldState.EXPIRED, captured_paise=None, debited_paise=11_800)
    assert taken(late) == ("ord-1.late", 11_800)
    assert taken(replace(CANCELLED, hold=HoldState.VOIDED, captured_paise=None)) is None
    assert (refund_id("ord-1"), late_payment_id("ord-1")) == ("ord-1.refund", "ord-1.late")


# --- the manager, over the command service's composition root --------------------------------


async def test_an_order_cancelled_after_its_capture_is_refunded_to_the_wallet_once() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump()
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    assert await balance(world, wallet_id) == rupees(1_000) - total

    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "OrderCancelled"]
    assert (await world.store.read_stream("ord-1"))[-1].data["refund_due_paise"] == total
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured", "WalletRefunded"]
    refund = (await world.store.read_stream(wallet_id))[-1]
    assert refund.data["refund_id"] == "ord-1.refund" and refund.data["payment_id"] == "ord-1"
    assert (refund.data["amount_paise"], refund.data["merchant_id"]) == (total, MERCHANT)
    assert refund.metadata.actor == "saga:wallet_order_payment" and refund.metadata.correlation_id == "ord-1"
    assert await balance(world, wallet_id) == rupees(1_000)
    done = payments.payments["ord-1"]
    assert done.settled and done.refund is Refund.REFUNDED and done.outcome == f"REFUNDED {total} paise"

    # The cancellation delivered again, to a restarted manager on the same table: nothing more.
    restarted = order_payment(world, payments)
    await feed.redeliver([restarted])
    assert await restarted.tick() == 0
    # A crash after the refund was appended but before its result was saved: the table says no
    # refund yet, and the order is due. Taken again, the refund answers its first result.
    payments.payments["ord-1"] = replace(done, refund=Refund.NONE, settled=False, outcome=None, retry_at=None)
    assert await order_payment(world, payments).tick() == 1
    await feed.pump()
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured", "WalletRefunded"]
    assert await balances(world, wallet_id) == (rupees(1_000), 0)
    assert payments.payments["ord-1"].refund is Refund.REFUNDED
    assert await restarted.status() == {"unsettled": 0, "merchant_id": MERCHANT}


async def test_cancelled_before_the_capture_the_hold_is_voided_and_nothing_refunded() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)

    async def no_capture(env: Envelope) -> Outcome:  # the capture fails: the order is left due
        if isinstance(env.command, c.CaptureHold):
            raise ConnectionResetError("connection to the store lost")
        return await world.dispatch(env)

    payments = InMemoryOrderPaymentStore()
    commerce = NamedCommands([RecordPayment], world.dispatch, needed=["RecordPayment"])
    manager = OrderPaymentManager(
        payments,
        cast(Dispatcher, no_capture),
        commerce,
        world.store,
        world.clock,
        merchant_id=MERCHANT,
        hold_timeout=TIMEOUT,
    )
    feed = Feed(world, [manager])
    await feed.pump()
    assert await types(world, "ord-1") == ["OrderPlaced", "PaymentCaptured", "OrderConfirmed"]
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced"]  # confirmed, not captured yet

    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump()
    assert await manager.tick() == 0
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldVoided"]
    assert await balances(world, wallet_id) == (rupees(1_000), 0)  # nothing was taken, nothing refunded
    assert payments.payments["ord-1"].settled and payments.payments["ord-1"].refund is Refund.NONE
    # Commerce counted the wallet's report as paid: its cancellation says the total is due back,
    # and it has no command to hear that the void settled it (see the module's docstring).
    assert (await world.store.read_stream("ord-1"))[-1].data["refund_due_paise"] == total


async def test_a_cancellation_while_the_capture_is_on_its_way_refunds_once_the_capture_is_seen() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])

    def capture_late(env: object) -> bool:
        return getattr(env, "event_type", None) == "WalletHoldCaptured"

    await feed.pump(hold_back=capture_late)  # captured; its event still on its way
    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump(hold_back=capture_late)  # the void is refused (captured): the manager looks again later
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured"]
    await feed.pump()
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured", "WalletRefunded"]
    assert (await world.store.read_stream(wallet_id))[-1].data["amount_paise"] == total
    assert await balances(world, wallet_id) == (rupees(1_000), 0)
    assert payments.payments["ord-1"].refund is Refund.REFUNDED


async def test_an_order_paid_late_and_then_cancelled_is_refunded_against_the_late_debit() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump(hold_back=lambda env: env.event_type in ("PaymentCaptured", "OrderConfirmed"))
    world.clock.now = T0 + TIMEOUT  # the manager was down past the hold's deadline
    expiry = hold_expiry(world)
    await Feed(world, [expiry]).pump()
    assert await expiry.tick() == 1
    await feed.pump()
    assert payments.payments["ord-1"].outcome == "PAID_LATE"
    assert payments.payments["ord-1"].debited_paise == total

    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump()
    moves = ["WalletHoldPlaced", "WalletHoldExpired", "WalletPaid", "WalletRefunded"]
    assert await wallet_moves(world, wallet_id) == moves
    refund = (await world.store.read_stream(wallet_id))[-1]
    assert (refund.data["refund_id"], refund.data["payment_id"], refund.data["amount_paise"]) == (
        "ord-1.refund",
        "ord-1.late",
        total,
    )
    assert await balances(world, wallet_id) == (rupees(1_000), 0)
    await feed.redeliver([order_payment(world, payments)])
    assert await wallet_moves(world, wallet_id) == moves


async def test_a_late_debit_whose_answer_a_crash_lost_is_refunded_when_its_event_arrives() -> None:
    world = WalletWorld()
    wallet_id = await shop(world)
    total = await place(world)

    async def answer_lost(env: Envelope) -> Outcome:  # the debit is appended; its answer never arrives
        outcome = await world.dispatch(env)
        if isinstance(env.command, c.PayFromWallet) and not env.command.hold:
            raise ConnectionResetError("connection lost after the append")
        return outcome

    payments = InMemoryOrderPaymentStore()
    commerce = NamedCommands([RecordPayment], world.dispatch, needed=["RecordPayment"])
    manager = OrderPaymentManager(
        payments,
        cast(Dispatcher, answer_lost),
        commerce,
        world.store,
        world.clock,
        merchant_id=MERCHANT,
        hold_timeout=TIMEOUT,
    )
    feed = Feed(world, [manager])
    await feed.pump(hold_back=lambda env: env.event_type in ("PaymentCaptured", "OrderConfirmed"))
    world.clock.now = T0 + TIMEOUT
    expiry = hold_expiry(world)
    await Feed(world, [expiry]).pump()
    await expiry.tick()

    def debit_late(env: object) -> bool:
        return getattr(env, "event_type", None) == "WalletPaid"

    await feed.pump(hold_back=debit_late)  # confirmed: the late debit is made, its answer lost
    assert payments.payments["ord-1"].debited_paise is None
    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump(hold_back=debit_late)  # cancelled, nothing known taken: settled
    assert payments.payments["ord-1"].settled
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldExpired", "WalletPaid"]
    await feed.pump()  # the debit's event wakes the order: refunded
    moves = ["WalletHoldPlaced", "WalletHoldExpired", "WalletPaid", "WalletRefunded"]
    assert await wallet_moves(world, wallet_id) == moves
    assert (await world.store.read_stream(wallet_id))[-1].data["amount_paise"] == total
    assert await balances(world, wallet_id) == (rupees(1_000), 0)
    assert payments.payments["ord-1"].refund is Refund.REFUNDED


async def test_a_refund_the_wallet_refuses_is_settled_as_refused_and_not_asked_again() -> None:
    world = WalletWorld()
    wallet_id = await shop(world, balance=0)
    total = await place(world)
    await world.top_up(wallet_id, total)  # exactly the order's total: nothing left once captured
    payments = InMemoryOrderPaymentStore()
    feed = Feed(world, [order_payment(world, payments)])
    await feed.pump()
    assert await balance(world, wallet_id) == 0
    await world.run(c.CloseWallet(reason="moving abroad"), wallet_id)
    await world.run(CancelOrder(reason="changed my mind"), "ord-1")
    await feed.pump()
    refused = payments.payments["ord-1"]
    assert refused.settled and refused.refund is Refund.REFUSED
    assert refused.outcome is not None and refused.outcome.startswith("REFUND REFUSED") and "closed" in refused.outcome
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured", "WalletClosed"]
    await feed.redeliver([order_payment(world, payments)])
    world.clock.now += timedelta(hours=1)
    assert await order_payment(world, payments).tick() == 0
    assert await wallet_moves(world, wallet_id) == ["WalletHoldPlaced", "WalletHoldCaptured", "WalletClosed"]
