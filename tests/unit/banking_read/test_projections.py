"""The banking projections as pure folds of events the domain decided (a `BankWorld` over the
in-memory store): the account view (balance, status, pending transfers, the limits left in the
IST month and financial year), the statement (one entry per movement, newest first by sort key,
each with its running balance; markers for the rest) and the balance history; redelivered
events change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from command_service.banking import commands as c
from projector_service.engine.apply import fold, group_by_document
from projector_service.projections import banking
from projector_service.registry import ProjectorRegistry
from shared.banking import policy as bank
from shared.banking.values import AccountType, Outcome
from shared.envelope import EventEnvelope
from tests.support.banking import OTHER_IFSC, BankWorld, Clock, rupees


@cache
def registry() -> ProjectorRegistry:
    return ProjectorRegistry([banking.MANIFEST])


def project(name: str, envelopes: list[EventEnvelope]) -> dict[str, dict[str, Any]]:
    projection = registry().projections[name]
    folded = {key: fold(projection, None, envs) for key, envs in group_by_document(projection, envelopes).items()}
    return {key: doc for key, doc in folded.items() if doc is not None}


async def everything(world: BankWorld) -> list[EventEnvelope]:
    return await world.store.read_all(0, 100_000)


def rules(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["rule"]: rule for rule in doc["limits"]["rules"]}


async def test_the_view_follows_balance_status_pending_transfers_and_bsbd_limits() -> None:
    world = BankWorld(clock=Clock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)))  # 17:30 IST on 30 November
    account_id = await world.open(AccountType.BSBD, customer_id="cust-9")
    await world.deposit(account_id, rupees(30_000))
    await world.withdraw(account_id, rupees(2_000))
    sent = await world.transfer(account_id, rupees(3_000), "IMPS")
    returned = await world.transfer(
        account_id, rupees(1_000), "NEFT", to_account_number="5010000000", to_ifsc=OTHER_IFSC
    )
    settle = c.SettleTransfer(
        transfer_id=returned.response["transfer_id"], outcome=Outcome.RETURNED, reason="gone", utr="U1"
    )
    await world.run(settle, account_id)
    doc = project("account_view", await everything(world))[account_id]
    assert (doc["balance_paise"], doc["pending_out_paise"], doc["status"]) == (rupees(25_000), rupees(3_000), "ACTIVE")
    assert [t["transfer_id"] for t in doc["pending_transfers"]] == [sent.response["transfer_id"]]
    assert doc["customer_id"] == "cust-9" and doc["type"] == "BSBD" and len(doc["account_number"]) == 14
    left = rules(doc)
    assert left[bank.BSBD_DEBITS_PER_MONTH]["used_paise"] == rupees(5_000)  # the returned ₹1,000 given back
    assert left[bank.BSBD_BALANCE]["left_paise"] == rupees(25_000)
    assert left[bank.BSBD_CREDITS_PER_FY]["used_paise"] == rupees(30_000)
    assert (doc["limits"]["debit_paise"], doc["limits"]["credit_paise"]) == (rupees(5_000), rupees(25_000))
    world.clock.advance(hours=7)  # 00:30 IST on 1 December: a new month of debits
    await world.run(c.FreezeAccount(reason="court order"), account_id)
    frozen = project("account_view", await everything(world))[account_id]
    assert frozen["status"] == "FROZEN" and frozen["status_reason"] == "court order"
    assert rules(frozen)[bank.BSBD_DEBITS_PER_MONTH]["used_paise"] == 0 and frozen["limits"]["debit_paise"] == 0


async def test_a_savings_view_names_the_minimum_average_balance() -> None:
    world = BankWorld()
    account_id = await world.open()
    doc = project("account_view", await everything(world))[account_id]
    assert doc["limits"]["minimum_average_balance_paise"] == rupees(10_000) and doc["limits"]["credit_paise"] is None


async def test_the_statement_has_an_entry_per_movement_with_its_running_balance() -> None:
    world = BankWorld()
    account_id = await world.open()
    other = await world.open(customer_id="cust-2")
    await world.deposit(account_id, rupees(1_000), txn_id="d-1")
    world.clock.advance(minutes=1)
    await world.transfer(account_id, rupees(300), "INTERNAL", transfer_id="tr-1", to_account_id=other)
    world.clock.advance(minutes=1)
    await world.withdraw(account_id, rupees(200), txn_id="w-1")
    docs = project("account_statement", await everything(world))
    mine = sorted(
        (d for d in docs.values() if d.get("account_id") == account_id), key=lambda d: d["sort_key"], reverse=True
    )
    assert [(d["kind"], d["movement_id"], d["delta_paise"], d["balance_after_paise"]) for d in mine] == [
        ("WITHDRAWAL", "w-1", -rupees(200), rupees(500)),
        ("INTERNAL_OUT", "tr-1", -rupees(300), rupees(700)),
        ("DEPOSIT", "d-1", rupees(1_000), rupees(1_000)),
    ]
    assert docs[f"{account_id}:1"]["marker"]["event"] == "AccountOpened"  # the opening: a marker, no entry
    [received] = [d for d in docs.values() if d.get("account_id") == other]
    assert (received["kind"], received["balance_after_paise"]) == ("INTERNAL_IN", rupees(300))


async def test_the_balance_history_has_every_event_and_redelivery_changes_nothing() -> None:
    world = BankWorld()
    account_id = await world.open()
    await world.deposit(account_id, rupees(10))
    world.clock.advance(seconds=1)
    await world.withdraw(account_id, rupees(4))
    envelopes = await everything(world)
    history = project("account_balance_history", envelopes)
    assert [history[f"{account_id}:{v}"]["balance_after_paise"] for v in (1, 2, 3)] == [0, rupees(10), rupees(6)]
    assert history[f"{account_id}:1"]["opening"] is True
    again = project("account_balance_history", envelopes + envelopes)
    assert again == history
    view = project("account_view", envelopes + envelopes)[account_id]
    assert [entry[1] for entry in view["_balances"]] == [1, 2, 3] and view["version"] == 3
