"""The wallet view as a pure fold: balance, held and available money from the events, open
holds, KYC and status, and the headroom under each PPI limit in the IST month and financial year
of the last event (figures from the policy table at the event's time, so a replay gives the
same document); redelivered events change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.wallets import policy as ppi
from shared.wallets.values import KycLevel, TopupSource
from tests.support.wallet_views import T0, Book, project, rupees

VIEW = "wallet_view"


def view(book: Book) -> dict[str, Any]:
    return project(VIEW, book.stored())[book.wallet_id]


def limits(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {limit["rule"]: limit for limit in doc["headroom"]["limits"]}


def test_balance_held_and_available_follow_the_events() -> None:
    book = (
        Book()
        .open()
        .top_up(rupees(1_000))
        .hold(rupees(300), "p-1")
        .hold(rupees(100), "p-2")
        .capture("p-1", rupees(250))
    )
    doc = view(book)
    assert (doc["balance_paise"], doc["held_paise"], doc["available_paise"]) == (rupees(750), rupees(100), rupees(650))
    assert [hold["payment_id"] for hold in doc["open_holds"]] == ["p-2"]
    assert doc["version"] == 5 and doc["status"] == "ACTIVE" and doc["kyc_level"] == "MINIMUM"
    assert doc["customer_id"] == "cust-1" and doc["opened_at"] == T0 and doc["updated_at"] == book.at


def test_headroom_names_its_periods_and_counts_loads_not_refunds() -> None:
    book = Book().open().top_up(rupees(4_000)).top_up(rupees(1_000), TopupSource.CASH)
    book.receive(rupees(500), "wal-" + "1" * 32).pay(rupees(2_000), payment_id="p-9").refund(rupees(2_000), "p-9")
    doc = view(book)
    headroom = doc["headroom"]
    assert (headroom["month"], headroom["fy"], headroom["as_of"]) == ("2025-03", "FY2024-25", book.at)
    by_rule = limits(doc)
    assert by_rule[ppi.MIN_KYC_LOADS_PER_MONTH]["used_paise"] == rupees(5_500)  # the refund is no load
    assert by_rule[ppi.MIN_KYC_LOADS_PER_MONTH]["headroom_paise"] == rupees(4_500)
    assert by_rule[ppi.MIN_KYC_LOADS_PER_FY]["headroom_paise"] == rupees(1_14_500)
    assert by_rule[ppi.CASH_LOADS_PER_MONTH]["used_paise"] == rupees(1_000)  # P2P is no cash
    assert by_rule[ppi.MIN_KYC_BALANCE] == {
        "rule": ppi.MIN_KYC_BALANCE,
        "period": None,
        "limit_paise": ppi.PPI_POLICY.value(ppi.MIN_KYC_BALANCE, book.at),
        "used_paise": rupees(5_500),
        "headroom_paise": rupees(4_500),
    }
    assert headroom["load_paise"] == rupees(4_500) and headroom["cash_load_paise"] == rupees(4_500)


def test_a_new_ist_month_and_year_start_at_1830_utc() -> None:
    last_march = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)  # 23:59:59 IST, 31 March
    book = Book(at=last_march - timedelta(days=1)).open().top_up(rupees(3_000), at=last_march)
    before = limits(view(book))
    assert before[ppi.MIN_KYC_LOADS_PER_MONTH]["period"] == "2025-03"
    assert before[ppi.MIN_KYC_LOADS_PER_MONTH]["used_paise"] == rupees(3_000)
    book.top_up(rupees(1_000), at=last_march + timedelta(seconds=1))  # 00:00 IST, 1 April
    doc = view(book)
    after = limits(doc)
    assert (doc["headroom"]["month"], doc["headroom"]["fy"]) == ("2025-04", "FY2025-26")
    assert after[ppi.MIN_KYC_LOADS_PER_MONTH]["used_paise"] == rupees(1_000)
    assert after[ppi.MIN_KYC_LOADS_PER_FY]["used_paise"] == rupees(1_000)
    assert after[ppi.MIN_KYC_BALANCE]["used_paise"] == rupees(4_000)  # the balance does not start again


def test_a_later_event_rolls_the_periods_without_a_load() -> None:
    book = Book().open().top_up(rupees(3_000)).freeze(at=T0 + timedelta(days=40))
    doc = view(book)
    assert doc["headroom"]["month"] == "2025-04" and limits(doc)[ppi.MIN_KYC_LOADS_PER_MONTH]["used_paise"] == 0
    assert doc["status"] == "FROZEN" and doc["status_reason"] == "dispute"


def test_full_kyc_has_no_load_limits_and_a_higher_cap() -> None:
    doc = view(Book().open().top_up(rupees(9_000)).upgrade().top_up(rupees(20_000)))
    assert set(limits(doc)) == {ppi.FULL_KYC_BALANCE, ppi.CASH_LOADS_PER_MONTH}
    assert doc["kyc_level"] == "FULL" and doc["kyc_document_type"] == "PAN"
    assert doc["headroom"]["load_paise"] == rupees(2_00_000 - 29_000)


def test_a_closed_wallet_loads_nothing() -> None:
    doc = view(Book().open(kyc=KycLevel.FULL).top_up(rupees(10)).close())
    assert doc["status"] == "CLOSED" and doc["closed_at"] is not None and doc["balance_paise"] == 0
    assert doc["headroom"]["load_paise"] == 0 and doc["headroom"]["cash_load_paise"] == 0


def test_expired_and_voided_holds_are_no_longer_open() -> None:
    book = Book().open().top_up(rupees(500)).hold(rupees(100), "p-1").hold(rupees(50), "p-2").hold(rupees(25), "p-3")
    doc = view(book.expire("p-1").void("p-3"))
    assert [hold["payment_id"] for hold in doc["open_holds"]] == ["p-2"]
    assert (doc["held_paise"], doc["available_paise"]) == (rupees(50), rupees(450))


def test_replay_gives_the_same_document_and_redelivery_changes_nothing() -> None:
    book = Book().open().top_up(rupees(700)).hold(rupees(100), "p-1").capture("p-1").freeze().unfreeze()
    envelopes = book.stored()
    once = project(VIEW, envelopes)
    assert project(VIEW, envelopes) == once
    assert project(VIEW, envelopes + envelopes[1:4] + envelopes) == once
    assert project(VIEW, envelopes[:3] + envelopes) == once


def test_events_before_the_opening_make_no_view() -> None:
    book = Book().open().top_up(rupees(10))
    assert project(VIEW, book.stored()[1:]) == {}


def test_the_view_keeps_its_latest_balances_in_order_and_says_when_it_dropped_the_opening() -> None:
    from shared.wallets.read_models import RECENT_BALANCES

    book = Book(at=T0).open()
    for n in range(1, RECENT_BALANCES):
        book.top_up(rupees(n), at=T0 + timedelta(hours=n))
    doc = project("wallet_view", book.stored())[book.wallet_id]
    assert [e[1] for e in doc["_balances"]] == list(range(1, RECENT_BALANCES + 1))
    assert doc["_balances"][0][3] == "WalletOpened" and doc["_balances_from_opening"] is True
    book.top_up(rupees(1), at=T0 - timedelta(minutes=1))  # dated before the opening: sorted first, dropped first
    doc = project("wallet_view", book.stored())[book.wallet_id]
    assert len(doc["_balances"]) == RECENT_BALANCES and doc["_balances_from_opening"] is False
    assert [e[1] for e in doc["_balances"]] == list(range(1, RECENT_BALANCES + 1))
    assert doc["_balances"][-1][2] == doc["balance_paise"] - rupees(1)  # the late event's balance is not the last
