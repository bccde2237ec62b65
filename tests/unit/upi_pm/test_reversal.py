"""The reversal process manager with in-memory stores and a clock the test moves: a payment to
another psp's VPA is debited at once (PENDING) and the switch's answer recorded — credited
(COMPLETED), declined (credited back in the same append) or no answer (DEEMED, reversed at once:
on time, no compensation); with the manager down for days the reversal is late and its event
says by how many IST days and what compensation accrued; each exactly once across redeliveries,
restarts and a crash between a command and its mark in the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from command_service.banking import commands as bank
from command_service.upi.reversal import ACTOR, InMemoryPaymentWatchStore, PaymentReversal, Stage
from command_service.wallets import commands as wal
from shared.banking.streams import ACCOUNT
from shared.errors import DomainError
from shared.upi.streams import VPA
from shared.wallets.streams import WALLET
from tests.support.upi import UpiWorld, rupees
from tests.support.upi_outbound import IST_2300_1DEC, START, T_PLUS_1_END, Feed, payer


def manager(world: UpiWorld, watches: InMemoryPaymentWatchStore, **settings: float) -> PaymentReversal:
    return PaymentReversal(watches, world.dispatch, world.clock, **settings)


async def upi_types(world: UpiWorld) -> list[str]:
    return [type(e).__name__ for e in await world.events(VPA.stream_id("asha@bahi"))]


async def test_a_payment_leaving_bahi_is_debited_at_once_pending_in_two_streams() -> None:
    world = UpiWorld()
    account_id, vpa = await payer(world)
    before = await world.event_count()
    answer = await world.pay(vpa, "shop@okaxis", rupees(1_000))
    assert answer.response["status"] == "PENDING" and answer.response["completed_at"] is None
    assert answer.response["payer_balance_after_paise"] == START - rupees(1_000)
    assert await world.event_count() == before + 2  # the payment and the debit (the RRN's claim is a key record)
    assert await world.balance(ACCOUNT.stream_id(account_id)) == START - rupees(1_000)
    assert (await upi_types(world))[-1] == "UpiPaymentSent"
    [sent] = (await world.events(VPA.stream_id(vpa)))[-1:]
    assert sent.status.value == "PENDING" and sent.payee_link_id is None


async def test_the_switch_answers_credited_declined_or_deemed_and_a_deemed_one_is_reversed_on_time() -> None:
    world = UpiWorld()
    account_id, vpa = await payer(world)
    for payee in ("shop@okaxis", "shop.decline@okaxis", "ravi.timeout@ybl"):
        await world.pay(vpa, payee, rupees(1_000), payment_id=f"p-{payee.split('@')[0]}")
    watches = InMemoryPaymentWatchStore()
    reversal = manager(world, watches)
    await Feed(world).pump(reversal)
    kinds = await upi_types(world)
    assert kinds[:4] == ["UpiVpaRegistered", "UpiPaymentSent", "UpiPaymentSent", "UpiPaymentSent"]
    assert sorted(kinds[4:]) == ["UpiPaymentCompleted", "UpiPaymentDeclined", "UpiPaymentDeemed", "UpiPaymentReversed"]
    assert kinds.index("UpiPaymentDeemed") < kinds.index("UpiPaymentReversed")
    events = {type(e).__name__: e for e in await world.events(VPA.stream_id(vpa))}
    reversed_ = events["UpiPaymentReversed"]
    assert (reversed_.days_late, reversed_.compensation_paise, reversed_.reverse_by) == (0, 0, T_PLUS_1_END)
    assert events["UpiPaymentDeclined"].reason.startswith("DECLINED_BY_PAYEE_PSP")
    account = await world.events(ACCOUNT.stream_id(account_id))
    assert [type(e).__name__ for e in account[-6:-3]] == ["AccountUpiDebited"] * 3
    assert sorted(type(e).__name__ for e in account[-3:]) == [
        "AccountUpiReversed",
        "AccountUpiReversed",
        "AccountUpiSettled",  # the credited payment's debit made final, in its answer's append
    ]
    assert all(e.leaves_bahi for e in account[-6:-3])
    assert account[-1].balance_after_paise == START - rupees(1_000)  # only the credited payment left
    vpa_stream = await world.store.read_stream(VPA.stream_id(vpa))
    assert {e.metadata.actor for e in vpa_stream[-4:]} == {ACTOR}
    assert await reversal.status() == {
        "waiting": 0,
        "by_stage": {"SWITCH": 0, "REVERSAL": 0},
        "reversal_delay_seconds": 0.0,
    }


async def test_a_reversal_after_t_plus_1_says_how_late_and_accrues_the_compensation() -> None:
    world = UpiWorld()
    wallet_id, vpa = await payer(world, wallet=True)
    await world.pay(vpa, "ravi.timeout@ybl", rupees(2_500), payment_id="p-late")
    watches = InMemoryPaymentWatchStore()
    feed = Feed(world)
    # The switch's timeout is in; the status check would reverse an hour later, but the manager is down.
    await feed.pump(manager(world, watches, reversal_delay_seconds=3600))
    assert (await upi_types(world))[-1] == "UpiPaymentDeemed"
    [watch] = watches.watches.values()
    assert watch.stage is Stage.REVERSAL and watch.due_at == IST_2300_1DEC + timedelta(hours=1)
    world.clock.now = T_PLUS_1_END + timedelta(days=2, hours=5)  # 05:00 IST on 5 Dec: T+1 was 2 Dec
    restarted = manager(world, watches, reversal_delay_seconds=3600)
    assert await restarted.tick() == 1
    await feed.pump(restarted)
    reversed_ = (await world.events(VPA.stream_id(vpa)))[-1]
    assert type(reversed_).__name__ == "UpiPaymentReversed"
    assert (reversed_.days_late, reversed_.compensation_paise) == (3, rupees(300))
    [leg] = [e for e in await world.events(WALLET.stream_id(wallet_id)) if type(e).__name__ == "WalletUpiReversed"]
    assert leg.balance_after_paise == START and leg.amount_paise == rupees(2_500)
    assert watches.watches[vpa, "p-late"].stage is Stage.DONE


async def test_the_deemed_reversal_is_planned_no_later_than_t_plus_1() -> None:
    world = UpiWorld()
    _, vpa = await payer(world)
    await world.pay(vpa, "ravi.timeout@ybl", rupees(100), payment_id="p-1")
    watches = InMemoryPaymentWatchStore()
    await Feed(world).pump(manager(world, watches, reversal_delay_seconds=86_400))
    assert watches.watches[vpa, "p-1"].due_at == IST_2300_1DEC + timedelta(days=1)
    world.clock.now = IST_2300_1DEC + timedelta(days=1)
    assert await manager(world, watches).tick() == 1
    reversed_ = (await world.events(VPA.stream_id(vpa)))[-1]
    assert type(reversed_).__name__ == "UpiPaymentReversed" and reversed_.days_late == 0


async def test_a_crash_between_a_command_and_its_mark_reverses_only_once_across_redeliveries() -> None:
    world = UpiWorld()
    account_id, vpa = await payer(world)
    for n in range(3):
        await world.pay(vpa, f"r{n}.timeout@ybl", rupees(1_000), payment_id=f"p-{n}")
    watches = InMemoryPaymentWatchStore()
    feed = Feed(world)
    await feed.pump(manager(world, watches, reversal_delay_seconds=60))  # deemed; reversals due in a minute
    world.clock.advance(minutes=1)
    lost = dict(watches.watches)  # the table as it was before the reversals...
    assert await manager(world, watches).tick() == 3
    watches.watches = lost  # ...because a SIGKILL lost the "done" marks
    restarted = manager(world, watches)
    assert await restarted.tick() == 3  # the same keys: the first answers, nothing appended
    await feed.redeliver(restarted)  # and every event again, as after a restart before any commit
    assert await restarted.tick() == 0
    kinds = await upi_types(world)
    assert kinds.count("UpiPaymentDeemed") == 3 and kinds.count("UpiPaymentReversed") == 3
    account = [type(e).__name__ for e in await world.events(ACCOUNT.stream_id(account_id))]
    assert account.count("AccountUpiReversed") == 3
    assert all(w.stage is Stage.DONE for w in watches.watches.values())
    assert await world.balance(ACCOUNT.stream_id(account_id)) == START


async def close(world: UpiWorld, link_id: str, *, wallet: bool) -> Any:
    command = wal.CloseWallet(to_bank_account="HDFC0001234:1234567890") if wallet else bank.CloseAccount()
    return await world.run(command, link_id)


@pytest.mark.parametrize("wallet", [False, True], ids=["account", "wallet"])
async def test_an_account_or_wallet_does_not_close_while_a_payment_leaving_bahi_waits(wallet: bool) -> None:
    world = UpiWorld()
    link_id, vpa = await payer(world, wallet=wallet)
    await world.pay(vpa, "shop@okaxis", rupees(1_000), payment_id="p-credited")
    await world.pay(vpa, "ravi.timeout@ybl", rupees(2_000), payment_id="p-deemed")
    stream = (WALLET if wallet else ACCOUNT).stream_id(link_id)
    if not wallet:  # an account closes empty: take out what no payment holds
        rest = START - rupees(3_000)
        await world.run(bank.Withdraw(txn_id="w-1", amount_paise=rest, mode="CASH", narration="all of it"), link_id)
    before = await world.event_count()
    with pytest.raises(DomainError, match="waiting for the switch") as refused:
        await close(world, link_id, wallet=wallet)
    assert refused.value.extra["payment_ids"] == ["p-credited", "p-deemed"]
    assert await world.event_count() == before  # refused: nothing appended
    watches = InMemoryPaymentWatchStore()
    feed = Feed(world)
    await feed.pump(manager(world, watches, reversal_delay_seconds=3600))  # one credited, the other deemed
    with pytest.raises(DomainError, match="waiting for the switch") as refused:
        await close(world, link_id, wallet=wallet)
    assert refused.value.extra["payment_ids"] == ["p-deemed"]
    world.clock.advance(hours=1)
    assert await manager(world, watches).tick() == 1
    await feed.pump(manager(world, watches))
    if not wallet:  # the deemed payment's 2,000 came back to the account
        refund = bank.Withdraw(txn_id="w-2", amount_paise=rupees(2_000), mode="CASH", narration="refund")
        await world.run(refund, link_id)
    await close(world, link_id, wallet=wallet)
    closed = (await world.events(stream))[-1]
    assert type(closed).__name__ == ("WalletClosed" if wallet else "AccountClosed")
