"""The CTR report from cash-view documents (pure): per customer over all their accounts, each
direction summed separately, strictly over the threshold, every item listed; and its CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from query_service.compliance.ctr import COLUMNS, as_csv, report
from shared.compliance.policy import COMPLIANCE_POLICY, CTR_CASH_MONTH_MAX
from shared.periods import month_start

MONTH = "2026-11"
LIMIT = COMPLIANCE_POLICY.value(CTR_CASH_MONTH_MAX, month_start(MONTH))


def doc(account: str, customer: str, items: list[tuple[str, int]]) -> dict[str, Any]:
    listed = [
        {
            "txn_id": f"{account}-{i}",
            "direction": d,
            "amount_paise": a,
            "occurred_at": f"2026-11-{i + 1:02d}T05:00:00.000000Z",
            "narration": "=cash",
            "version": i + 2,
        }
        for i, (d, a) in enumerate(items)
    ]
    ins = [a for d, a in items if d == "IN"]
    outs = [a for d, a in items if d == "OUT"]
    figures = {"in_paise": sum(ins), "out_paise": sum(outs), "in_count": len(ins), "out_count": len(outs)}
    return {
        "_id": account,
        "account_id": account,
        "customer_id": customer,
        "cash": {MONTH: {**figures, "items": listed}},
    }


def test_a_customer_over_in_either_direction_across_accounts() -> None:
    half = LIMIT // 2
    docs = [
        doc("acc-1", "c-over", [("IN", half), ("OUT", 100)]),
        doc("acc-2", "c-over", [("IN", half + 1)]),  # over only with both accounts
        doc("acc-3", "c-at", [("IN", LIMIT), ("OUT", LIMIT)]),  # at the threshold: not over
        doc("acc-4", "c-out", [("OUT", LIMIT + 1), ("IN", 5)]),
    ]
    body = report(MONTH, docs, None)
    assert [c["customer_id"] for c in body["customers"]] == ["c-out", "c-over"]
    over = body["customers"][1]
    assert over["cash_deposits_paise"] == LIMIT + 1 and over["cash_withdrawals_paise"] == 100
    assert over["over_threshold"] == ["DEPOSITS"] and over["accounts"] == ["acc-1", "acc-2"]
    assert len(over["transactions"]) == 3  # the small withdrawal listed too
    assert body["filed"] is False and body["due_date"] == "2026-12-15"


def test_csv_has_one_row_per_transaction_and_quotes_formulas() -> None:
    docs = [doc("acc-4", "c-out", [("OUT", LIMIT + 1), ("IN", 5)])]
    rows = list(csv.reader(io.StringIO(as_csv(report(MONTH, docs, None)))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 3
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["type"] == "CASH_WITHDRAWAL" and first["amount_paise"] == str(LIMIT + 1)
    assert first["amount_inr"] == f"{(LIMIT + 1) // 100}.{(LIMIT + 1) % 100:02d}"
    assert first["narration"] == "'=cash" and first["date_ist"] == "2026-11-01" and first["time_ist"] == "10:30:00"
