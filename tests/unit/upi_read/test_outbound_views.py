"""The views of payments leaving Bahi and of collect requests, as pure folds of events the domain
and the reversal process manager decided (a `UpiWorld` over the in-memory store): the payment
document moves PENDING -> COMPLETED, DECLINED, DEEMED -> REVERSED with its times, reason and
compensation; the payer's VPA view counts the declined and the reversed as failed, not sent;
the payer's statement shows the debit and the reversal and its balance comes back
exactly; the collect view shows a request, its acceptance or its decline, and reads a lapsed
one as EXPIRED; redelivered events change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command_service.upi.commands import AcceptCollect, DeclineCollect, RequestCollect
from command_service.upi.reversal import InMemoryPaymentWatchStore, PaymentReversal
from query_service.upi.collects import as_read
from tests.support.upi import UpiWorld, rupees
from tests.support.upi_outbound import IST_2300_1DEC, START, T_PLUS_1_END, Feed, payer, project


async def reversed_world() -> tuple[UpiWorld, str, dict[str, str]]:
    world = UpiWorld()
    account_id, vpa = await payer(world)
    rrns = {}
    for payee in ("shop@okaxis", "shop.decline@okaxis", "ravi.timeout@ybl"):
        answer = await world.pay(vpa, payee, rupees(1_000), payment_id=f"p-{payee.split('@')[0]}")
        rrns[payee] = str(answer.response["rrn"])
    world.clock.now = T_PLUS_1_END + timedelta(hours=1)  # the manager was down: one day late
    await Feed(world).pump(PaymentReversal(InMemoryPaymentWatchStore(), world.dispatch, world.clock))
    return world, account_id, rrns


async def test_the_payment_view_shows_each_outcome_with_its_times_reason_and_compensation() -> None:
    world, _, rrns = await reversed_world()
    docs = project("upi_payment_view", await world.store.read_all(0, 10_000))
    done, declined, reversed_ = (docs[rrns[p]] for p in ("shop@okaxis", "shop.decline@okaxis", "ravi.timeout@ybl"))
    assert (done["status"], done["leaves_bahi"], done["payee"], done["customer_ids"]) == (
        "COMPLETED",
        True,
        None,
        ["cust-1"],
    )
    assert done["occurred_at"] == IST_2300_1DEC and done["completed_at"] == T_PLUS_1_END + timedelta(hours=1)
    assert declined["status"] == "DECLINED" and declined["reason"].startswith("DECLINED_BY_PAYEE_PSP")
    assert reversed_["status"] == "REVERSED" and reversed_["reason"].startswith("TIMEOUT")
    assert (reversed_["reverse_by"], reversed_["days_late"], reversed_["compensation_paise"]) == (
        T_PLUS_1_END,
        1,
        rupees(100),
    )
    assert reversed_["deemed_at"] == reversed_["reversed_at"] == T_PLUS_1_END + timedelta(hours=1)


async def test_the_payers_vpa_view_counts_what_stands_as_sent_and_the_declined_and_reversed_as_failed() -> None:
    world, _, _ = await reversed_world()
    doc = project("upi_vpa_view", await world.store.read_all(0, 10_000))["asha@bahi"]
    assert (doc["payments_sent"], doc["sent_paise"]) == (1, rupees(1_000))  # the one credited at the payee's psp
    assert (doc["payments_failed"], doc["failed_paise"]) == (2, rupees(2_000))  # declined, reversed


async def test_the_payers_statement_shows_the_reversals_and_its_balance_comes_back_exactly() -> None:
    world, account_id, rrns = await reversed_world()
    envelopes = await world.store.read_all(0, 10_000)
    assert project("account_view", envelopes)[account_id]["balance_paise"] == START - rupees(1_000)
    entries = [d for d in project("account_statement", envelopes).values() if d.get("kind") == "UPI_REVERSAL"]
    assert sorted((d["rrn"], d["delta_paise"]) for d in entries) == sorted(
        [(rrns["shop.decline@okaxis"], rupees(1_000)), (rrns["ravi.timeout@ybl"], rupees(1_000))]
    )


@pytest.mark.parametrize("wallet", [False, True], ids=["account", "wallet"])
async def test_the_account_or_wallet_view_lists_the_payments_waiting_for_the_switch(wallet: bool) -> None:
    world = UpiWorld()
    link_id, vpa = await payer(world, wallet=wallet)
    view = "wallet_view" if wallet else "account_view"
    for payee in ("shop@okaxis", "ravi.timeout@ybl"):
        await world.pay(vpa, payee, rupees(1_000), payment_id=f"p-{payee.split('@')[0]}")
    doc = project(view, await world.store.read_all(0, 10_000))[link_id]
    assert [p["payment_id"] for p in doc["pending_upi"]] == ["p-ravi.timeout", "p-shop"]  # by time, then id
    assert doc["pending_upi_paise"] == rupees(2_000) and doc["pending_upi"][1]["payee_vpa"] == "shop@okaxis"
    watches = InMemoryPaymentWatchStore()
    feed = Feed(world)
    await feed.pump(PaymentReversal(watches, world.dispatch, world.clock, reversal_delay_seconds=3600))
    doc = project(view, await world.store.read_all(0, 10_000))[link_id]
    assert [p["payment_id"] for p in doc["pending_upi"]] == ["p-ravi.timeout"]  # credited: final; deemed: waits
    world.clock.advance(hours=1)
    await PaymentReversal(watches, world.dispatch, world.clock).tick()
    await feed.pump(PaymentReversal(watches, world.dispatch, world.clock))
    doc = project(view, await world.store.read_all(0, 10_000))[link_id]
    assert (doc["pending_upi"], doc["pending_upi_paise"], doc["balance_paise"]) == ([], 0, START - rupees(1_000))


async def test_redelivered_outcomes_change_nothing() -> None:
    world, *_ = await reversed_world()
    envelopes = await world.store.read_all(0, 10_000)
    for name in ("upi_payment_view", "account_view", "account_statement"):
        assert project(name, envelopes + envelopes) == project(name, envelopes)


async def test_the_collect_view_shows_requests_answers_and_lapses() -> None:
    world = UpiWorld()
    wallet = await world.wallet(rupees(5_000), customer_id="cust-2")
    shop = await world.account(customer_id="cust-9")
    await world.vpa("ravi@bahi", wallet_id=wallet)
    await world.vpa("shop@bahi", kind="MERCHANT", account_id=shop)
    world.clock.advance(days=1)
    for n in range(3):
        ask = RequestCollect(collect_id=f"c-{n}", payee_vpa="shop@bahi", payer_vpa="ravi@bahi", amount_paise=100)
        await world.run(ask, "shop@bahi")
    accepted = await world.run(AcceptCollect(), "c-0")
    await world.run(DeclineCollect(reason="not mine"), "c-1")
    envelopes = await world.store.read_all(0, 10_000)
    docs = project("upi_collect_view", envelopes)
    assert (docs["c-0"]["status"], docs["c-0"]["rrn"]) == ("ACCEPTED", accepted.response["rrn"])
    assert (docs["c-1"]["status"], docs["c-1"]["reason"]) == ("DECLINED", "not mine")
    assert docs["c-2"]["customer_ids"] == ["cust-2", "cust-9"] and docs["c-2"]["vpas"] == ["ravi@bahi", "shop@bahi"]
    expires = docs["c-2"]["expires_at"]
    assert as_read(docs["c-2"], expires - timedelta(microseconds=1))["status"] == "REQUESTED"
    assert as_read(docs["c-2"], expires)["status"] == "EXPIRED"
    assert as_read(docs["c-1"], expires)["status"] == "DECLINED"
    assert "customer_ids" not in as_read(docs["c-2"], expires)
    assert project("upi_collect_view", envelopes + envelopes) == docs
