"""Holds: captured in full or in part (the rest released), voided, expired by `ExpireHold`
after `hold_timeout_seconds`; a capture after the deadline is refused saying when; captures
and voids are idempotent by payment id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command_service.handling import MovementIdReusedError
from command_service.wallets import commands as c
from command_service.wallets import domain
from shared.wallets.events import WalletHoldCaptured, WalletHoldExpired
from tests.support.wallets import WalletWorld, rupees


async def held(world: WalletWorld, paise: int = rupees(500)) -> str:
    wallet_id = await world.open()
    await world.top_up(wallet_id, rupees(1_000))
    outcome = await world.pay(wallet_id, paise, payment_id="p-1", hold=True, order_id="ord-1")
    assert outcome.response["payment_status"] == "HELD" and outcome.response["available_paise"] == rupees(500)
    return wallet_id


async def test_a_full_capture_takes_the_held_money() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    answer = (await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)).response
    assert (answer["captured_paise"], answer["released_paise"]) == (rupees(500), 0)
    assert (answer["balance_paise"], answer["held_paise"], answer["available_paise"]) == (rupees(500), 0, rupees(500))


async def test_a_partial_capture_releases_the_rest() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    answer = (await world.run(c.CaptureHold(payment_id="p-1", amount_paise=rupees(200)), wallet_id)).response
    assert (answer["captured_paise"], answer["released_paise"]) == (rupees(200), rupees(300))
    assert answer["balance_paise"] == rupees(800) and answer["available_paise"] == rupees(800)


async def test_capturing_more_than_the_hold_is_a_409_naming_the_amount() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    with pytest.raises(domain.CaptureExceedsHoldError) as caught:
        await world.run(c.CaptureHold(payment_id="p-1", amount_paise=rupees(500) + 1), wallet_id)
    assert caught.value.extra["field"] == "amount_paise" and caught.value.extra["held_paise"] == rupees(500)


async def test_a_void_releases_the_hold_and_a_void_after_capture_is_refused() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    answer = (await world.run(c.VoidHold(payment_id="p-1"), wallet_id)).response
    assert answer["released_paise"] == rupees(500) and answer["available_paise"] == rupees(1_000)
    assert (await world.run(c.VoidHold(payment_id="p-1"), wallet_id)).response == answer  # idempotent
    with pytest.raises(domain.PaymentStateError) as caught:
        await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)
    assert caught.value.extra["payment_status"] == "VOIDED"


async def test_a_double_capture_is_idempotent_by_payment_id() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    first = await world.run(c.CaptureHold(payment_id="p-1", amount_paise=rupees(200)), wallet_id)
    count = await world.event_count()
    again = await world.run(c.CaptureHold(payment_id="p-1", amount_paise=rupees(200)), wallet_id)
    assert again.response == first.response and again.token == first.token
    assert await world.event_count() == count
    with pytest.raises(MovementIdReusedError) as caught:
        await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)  # the whole hold: another amount
    assert caught.value.status == 409 and caught.value.extra == {"field": "amount_paise", "payment_id": "p-1"}
    with pytest.raises(domain.PaymentStateError):
        await world.run(c.VoidHold(payment_id="p-1"), wallet_id)
    assert [type(e) for e in await world.events(wallet_id)].count(WalletHoldCaptured) == 1


async def test_a_hold_expires_after_the_timeout_and_can_no_longer_be_captured() -> None:
    world = WalletWorld(settings={"hold_timeout_seconds": 60})
    wallet_id = await held(world)
    placed_at = world.clock.now
    world.clock.advance(seconds=59)
    with pytest.raises(domain.HoldNotDueError):
        await world.run(c.ExpireHold(payment_id="p-1"), wallet_id)
    world.clock.advance(seconds=1)
    # Expired from its deadline on, whether or not the process manager has recorded it yet.
    with pytest.raises(domain.HoldExpiredError) as caught:
        await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)
    deadline = (placed_at + timedelta(seconds=60)).isoformat()
    assert caught.value.status == 409 and caught.value.extra["expired_at"] == deadline
    assert "expired at" in caught.value.detail
    expired = await world.run(c.ExpireHold(payment_id="p-1"), wallet_id)
    assert expired.response["payment_status"] == "EXPIRED" and expired.response["available_paise"] == rupees(1_000)
    count = await world.event_count()
    assert (await world.run(c.ExpireHold(payment_id="p-1"), wallet_id)).response["payment_status"] == "EXPIRED"
    assert await world.event_count() == count  # late or repeated: nothing appended
    with pytest.raises(domain.HoldExpiredError):
        await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)
    event = (await world.events(wallet_id))[-1]
    assert isinstance(event, WalletHoldExpired) and event.expired_at.isoformat() == deadline


async def test_expiring_a_captured_hold_decides_nothing() -> None:
    world = WalletWorld(settings={"hold_timeout_seconds": 60})
    wallet_id = await held(world)
    await world.run(c.CaptureHold(payment_id="p-1"), wallet_id)
    world.clock.advance(minutes=5)
    count = await world.event_count()
    assert (await world.run(c.ExpireHold(payment_id="p-1"), wallet_id)).response["payment_status"] == "CAPTURED"
    assert await world.event_count() == count


async def test_capturing_an_unknown_payment_is_a_404() -> None:
    world = WalletWorld()
    wallet_id = await held(world)
    with pytest.raises(domain.PaymentNotFoundError):
        await world.run(c.CaptureHold(payment_id="p-404"), wallet_id)
