"""Merchant settlements as a pure multi-stream fold: per merchant and IST day, captured money
(direct payments and captured holds, at the captured part), refunds and net, from every wallet
that paid the merchant; the day turns at 18:30 UTC; the same documents whatever order the
wallets' streams arrive in, and redeliveries count nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.wallet_views import Book, project, rupees

EVENING = datetime(2025, 3, 31, 18, 29, tzinfo=UTC)  # 23:59 IST, 31 March
MIDNIGHT_IST = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)  # 00:00 IST, 1 April


def settle(*books: Book) -> dict[str, dict[str, Any]]:
    return project("merchant_settlements", [env for book in books for env in book.stored()])


def figures(doc: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return doc["captured_paise"], doc["refunded_paise"], doc["net_paise"], doc["capture_count"], doc["refund_count"]


def test_payments_of_many_wallets_sum_per_merchant_and_ist_day() -> None:
    asha = Book(at=EVENING - timedelta(hours=1)).open().top_up(rupees(1_000))
    asha.pay(rupees(100), at=EVENING).pay(rupees(40), merchant_id="merch-2", at=EVENING)
    ravi = Book(at=EVENING - timedelta(hours=1)).open("cust-2").top_up(rupees(1_000))
    ravi.hold(rupees(300), "p-h", at=EVENING).capture("p-h", rupees(200), at=MIDNIGHT_IST)
    ravi.pay(rupees(50), at=MIDNIGHT_IST + timedelta(hours=6)).refund(
        rupees(30), "p-h", at=MIDNIGHT_IST + timedelta(hours=7)
    )
    docs = settle(asha, ravi)
    assert set(docs) == {"merch-1:2025-03-31", "merch-2:2025-03-31", "merch-1:2025-04-01"}
    assert figures(docs["merch-1:2025-03-31"]) == (rupees(100), 0, rupees(100), 1, 0)  # the hold settled nothing
    assert figures(docs["merch-2:2025-03-31"]) == (rupees(40), 0, rupees(40), 1, 0)
    assert figures(docs["merch-1:2025-04-01"]) == (rupees(250), rupees(30), rupees(220), 2, 1)
    april = docs["merch-1:2025-04-01"]
    assert (april["merchant_id"], april["day"]) == ("merch-1", "2025-04-01")
    assert set(april["_applied"]) == {ravi.wallet_id}


def test_voided_and_expired_holds_settle_nothing() -> None:
    book = Book().open().top_up(rupees(500)).hold(rupees(100), "p-1").void("p-1").hold(rupees(100), "p-2").expire("p-2")
    assert settle(book) == {}


def test_the_same_documents_whatever_order_the_streams_arrive_in() -> None:
    books = [Book().open(f"cust-{n}").top_up(rupees(900)).pay(rupees(10 + n)).pay(rupees(5)) for n in range(4)]
    envelopes = [env for book in books for env in book.stored()]
    forwards = project("merchant_settlements", envelopes)
    by_stream = sorted(envelopes, key=lambda env: (env.stream_id, env.version), reverse=True)
    interleaved = sorted(by_stream, key=lambda env: env.version)  # stream order kept, streams mixed
    backwards = project("merchant_settlements", interleaved)
    assert forwards == backwards
    assert figures(forwards["merch-1:2025-03-03"]) == (rupees(10 + 11 + 12 + 13 + 20), 0, rupees(66), 8, 0)


def test_redelivered_payments_count_once() -> None:
    book = Book().open().top_up(rupees(900)).pay(rupees(10)).pay(rupees(20)).refund(rupees(5), "p-2")
    envelopes = book.stored()
    once = project("merchant_settlements", envelopes)
    assert project("merchant_settlements", envelopes + envelopes[2:]) == once
    assert figures(once["merch-1:2025-03-03"]) == (rupees(30), rupees(5), rupees(25), 2, 1)
