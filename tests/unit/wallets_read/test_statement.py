"""The statement and balance history as pure folds: one document per movement (id = wallet id +
version) with its kind, its client id under its own name, the signed balance change and the
balance after it; markers for events that move no money; one history entry per event with the
balance after it; newest-first sort keys; replays and redeliveries change nothing."""

from __future__ import annotations

from typing import Any

from shared.wallets.read_models import entry_id, entry_sort_key
from tests.support.wallet_views import Book, project, rupees

OTHER = "wal-" + "2" * 32


def statement(book: Book) -> dict[str, dict[str, Any]]:
    return project("wallet_statement", book.stored())


def history_book() -> Book:
    book = Book().open().top_up(rupees(1_000), topup_id="t-1").pay(rupees(100), payment_id="p-1")
    book.hold(rupees(200), "p-2").capture("p-2", rupees(150)).send(rupees(50), OTHER, "tr-1").receive(
        rupees(20), OTHER, "tr-2"
    )
    return book.refund(rupees(100), "p-1", refund_id="r-1").freeze().close()


def test_one_entry_per_movement_with_its_id_under_its_own_name() -> None:
    book = history_book()
    docs = statement(book)
    entries = [docs[entry_id(book.wallet_id, version)] for version in range(1, 11)]
    assert [doc.get("kind") for doc in entries] == [
        None,
        "TOPUP",
        "PAYMENT",
        "HOLD",
        "CAPTURE",
        "TRANSFER_OUT",
        "TRANSFER_IN",
        "REFUND",
        None,
        "PAYOUT",
    ]
    topup, payment, hold, capture, sent, received, refund = entries[1:8]
    assert topup["topup_id"] == "t-1" and topup["movement_id"] == "t-1" and topup["source"] == "UPI"
    assert (
        payment["payment_id"] == "p-1"
        and payment["merchant_id"] == "merch-1"
        and payment["delta_paise"] == -rupees(100)
    )
    assert (
        hold["delta_paise"] == 0
        and hold["held_after_paise"] == rupees(200)
        and hold["balance_after_paise"] == rupees(900)
    )
    assert capture["amount_paise"] == rupees(150) and capture["released_paise"] == rupees(50)
    assert capture["balance_after_paise"] == rupees(750) and capture["held_after_paise"] == 0
    assert sent["transfer_id"] == "tr-1" and sent["to_wallet_id"] == OTHER and sent["delta_paise"] == -rupees(50)
    assert received["transfer_id"] == "tr-2" and received["from_wallet_id"] == OTHER
    assert (
        refund["refund_id"] == "r-1" and refund["payment_id"] == "p-1" and refund["balance_after_paise"] == rupees(820)
    )
    payout = entries[9]
    assert payout["amount_paise"] == rupees(820) and payout["to_bank_account_last4"] == "9012"
    assert payout["balance_after_paise"] == 0 and "held_after_paise" not in payout


def test_events_that_move_no_money_leave_markers_no_list_sees() -> None:
    book = history_book()
    docs = statement(book)
    opened, frozen = docs[entry_id(book.wallet_id, 1)], docs[entry_id(book.wallet_id, 9)]
    assert "wallet_id" not in opened and opened["marker"] == {"wallet_id": book.wallet_id, "event": "WalletOpened"}
    assert frozen["version"] == 9 and "sort_key" not in frozen


def test_entries_carry_a_newest_first_key_and_their_ist_periods() -> None:
    book = history_book()
    entries = sorted(
        (d for d in statement(book).values() if "sort_key" in d), key=lambda d: d["sort_key"], reverse=True
    )
    assert [d["version"] for d in entries] == [10, 8, 7, 6, 5, 4, 3, 2]
    first = entries[-1]
    assert first["sort_key"] == entry_sort_key(first["occurred_at"], book.wallet_id, 2)
    assert (first["month"], first["day"]) == ("2025-03", "2025-03-03")


def test_replay_and_redelivery_change_nothing() -> None:
    envelopes = history_book().stored()
    for name in ("wallet_statement", "wallet_balance_history"):
        once = project(name, envelopes)
        assert project(name, envelopes) == once
        assert project(name, envelopes + envelopes[2:5] + envelopes[:1]) == once


def test_the_history_keeps_the_balance_after_every_event() -> None:
    book = history_book()
    docs = project("wallet_balance_history", book.stored())
    ordered = [docs[entry_id(book.wallet_id, version)] for version in range(1, 11)]
    assert [doc["balance_after_paise"] for doc in ordered] == [
        rupees(n) for n in (0, 1_000, 900, 900, 750, 700, 720, 820, 820, 0)
    ]
    assert [doc["opening"] for doc in ordered] == [True] + [False] * 9
    assert ordered[4]["event"] == "WalletHoldCaptured"
    assert ordered[4]["sort_key"] == entry_sort_key(ordered[4]["occurred_at"], book.wallet_id, 5)
