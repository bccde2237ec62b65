"""Movement ids are idempotency keys: the same id and body answers the first result and appends
nothing; another body is a 409 naming the field; a refused id records nothing and is decided
again when retried."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from command_service.event_store import NO_STREAM, AppendStream, IdempotencyRecord
from command_service.handling import (
    Command,
    MovementIdReusedError,
    MovementIdTakenError,
    ReservedIdempotencyKeyError,
)
from command_service.wallets import commands as c
from command_service.wallets import domain
from shared.envelope import NewEvent
from shared.wallets import policy as ppi
from shared.wallets.values import KycLevel, TopupSource
from tests.support.wallets import Clock, WalletWorld, rupees

RECEIVER_CUSTOMER = "cust-r"


async def setup() -> tuple[WalletWorld, str, str]:
    world = WalletWorld()
    wallet_id = await world.open("cust-1", KycLevel.FULL)
    receiver = await world.open(RECEIVER_CUSTOMER, KycLevel.FULL)
    await world.top_up(wallet_id, rupees(5_000), topup_id="t-0")
    await world.pay(wallet_id, rupees(1_000), payment_id="p-0")
    return world, wallet_id, receiver


def movements(receiver: str) -> list[tuple[Command, dict[str, Any], str, str]]:
    """(command, a change to its body, the field the 409 names, the id field)."""
    return [
        (
            c.TopUpWallet(topup_id="t-1", amount_paise=100, source=TopupSource.UPI, reference="r"),
            {"source": TopupSource.CARD},
            "source",
            "topup_id",
        ),
        (c.PayFromWallet(payment_id="p-1", merchant_id="m-1", amount_paise=100), {"hold": True}, "hold", "payment_id"),
        (
            c.TransferFromWallet(transfer_id="x-1", to_wallet_id=receiver, amount_paise=100, note="dinner"),
            {"note": "lunch"},
            "note",
            "transfer_id",
        ),
        (
            c.RefundToWallet(refund_id="r-1", payment_id="p-0", amount_paise=100),
            {"amount_paise": 101},
            "amount_paise",
            "refund_id",
        ),
    ]


@pytest.mark.parametrize("index", range(4), ids=["topup", "payment", "transfer", "refund"])
async def test_the_same_id_and_body_answers_the_first_result_and_appends_nothing(index: int) -> None:
    world, wallet_id, receiver = await setup()
    command, change, field, id_field = movements(receiver)[index]
    first = await world.run(command, wallet_id)
    count = await world.event_count()
    world.clock.advance(hours=1)
    await world.top_up(wallet_id, 7, topup_id="t-later")  # the wallet moved on since
    count += 1
    again = await world.run(command, wallet_id)
    assert again.response == first.response
    assert await world.event_count() == count
    with pytest.raises(MovementIdReusedError) as caught:
        await world.run(command.model_copy(update=change), wallet_id)
    assert caught.value.status == 409
    assert caught.value.extra == {"field": field, id_field: getattr(command, id_field)}
    assert await world.event_count() == count


async def test_a_refused_id_records_nothing_and_a_retry_is_decided_again() -> None:
    clock = Clock(datetime(2025, 3, 31, 18, 0, tzinfo=UTC))  # 23:30 IST on 31 March
    world = WalletWorld(clock=clock)
    wallet_id = await world.open()
    await world.top_up(wallet_id, rupees(10_000))
    await world.pay(wallet_id, rupees(10_000))
    count = await world.event_count()
    with pytest.raises(domain.PolicyRefusedError) as caught:
        await world.top_up(wallet_id, rupees(500), topup_id="t-retry")
    assert caught.value.extra["rule"] == ppi.MIN_KYC_LOADS_PER_MONTH
    assert await world.event_count() == count
    clock.advance(minutes=30)  # 1 April in India: a new month of loads
    outcome = await world.top_up(wallet_id, rupees(500), topup_id="t-retry")
    assert outcome.response["balance_paise"] == rupees(500)


async def test_a_recorded_movement_that_would_now_be_refused_still_answers_its_first_result() -> None:
    """The transfer emptied the wallet; its retry (the answer was lost) would be refused for
    funds if decided again: the refusal looks the id up first and answers the first result."""
    world, wallet_id, receiver = await setup()
    everything = rupees(4_000)  # 5,000 topped up, 1,000 paid
    move = c.TransferFromWallet(transfer_id="x-all", to_wallet_id=receiver, amount_paise=everything)
    first = await world.run(move, wallet_id)
    assert first.response["balance_paise"] == 0
    count = await world.event_count()
    again = await world.run(move, wallet_id)
    assert again.replayed and again.response == first.response and again.token == first.token
    with pytest.raises(MovementIdReusedError) as caught:
        await world.run(move.model_copy(update={"amount_paise": everything + 1}), wallet_id)
    assert caught.value.extra == {"field": "amount_paise", "transfer_id": "x-all"}
    assert await world.event_count() == count


async def test_ids_are_per_wallet_and_per_kind() -> None:
    world, wallet_id, receiver = await setup()
    await world.top_up(receiver, rupees(10), topup_id="t-0")  # wallet_id used t-0 too: another wallet's id
    hold = await world.pay(wallet_id, rupees(10), payment_id="p-h", hold=True)
    captured = await world.run(c.CaptureHold(payment_id="p-h"), wallet_id)  # a capture is not the payment again
    assert hold.response["payment_status"] == "HELD" and captured.response["payment_status"] == "CAPTURED"


async def test_a_record_under_a_movement_key_that_is_not_a_movements_is_a_409_naming_the_id() -> None:
    """Nothing writes one today (a client's Idempotency-Key has a namespace of its own): if
    something did, the movement is refused with a 409, never a 500, and records nothing."""
    world, wallet_id, _ = await setup()
    foreign = IdempotencyRecord(f"topup:{wallet_id}:t-9", "0123abcd" * 8, {"whose": "someone else's"})
    event = NewEvent(event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data={})
    await world.store.append([AppendStream("elsewhere-1", "other", NO_STREAM, [event])], [foreign])
    count = await world.event_count()
    with pytest.raises(MovementIdTakenError) as caught:
        await world.top_up(wallet_id, 100, topup_id="t-9")
    assert caught.value.status == 409 and caught.value.extra == {"field": "topup_id", "topup_id": "t-9"}
    assert await world.event_count() == count


@pytest.mark.parametrize("key", ["topup:{wallet}:t-5", "transfer:anything", "payment:"])
async def test_an_idempotency_key_in_a_movements_or_a_key_records_namespace_is_refused_before_anything_is_read(
    key: str,
) -> None:
    """Enforced, not only kept apart by convention: a process manager's key (`wallet-order:…`,
    `bank-settlement:…`) or the API's (`http:…`) never meets a movement's record or an RRN's claim."""
    world, wallet_id, _ = await setup()
    count = await world.event_count()
    top_up = c.TopUpWallet(topup_id="t-5", amount_paise=100, source=TopupSource.UPI, reference="r")
    with pytest.raises(ReservedIdempotencyKeyError, match="reserved namespace"):
        await world.run(top_up, wallet_id, idempotency_key=key.format(wallet=wallet_id))
    assert await world.event_count() == count
    assert await world.store.idempotency(key.format(wallet=wallet_id)) is None
    done = await world.run(top_up, wallet_id, idempotency_key=f"saga-test:{wallet_id}:t-5")  # outside them: runs
    assert done.response["balance_paise"] > 0 and not done.replayed
