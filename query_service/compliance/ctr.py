"""A month's cash transaction report, from the cash view's documents of the accounts that had cash
that month (pure): per customer, cash deposits and cash withdrawals summed separately over all
their accounts; on the report when either sum is over the threshold in force when the month
began; every cash item of a reported customer listed (the small ones too). As CSV: one row per
transaction, in the order of the JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from shared.compliance.deadlines import ctr_due_date, retention
from shared.compliance.policy import COMPLIANCE_POLICY, CTR_CASH_MONTH_MAX
from shared.periods import month_start
from shared.policy import IST


def threshold(month: str) -> int:
    """The CTR threshold in force when the month began (NoRowInForceError before the rule)."""
    return COMPLIANCE_POLICY.value(CTR_CASH_MONTH_MAX, month_start(month))


def report(month: str, cash_docs: Iterable[Mapping[str, Any]], filing: Mapping[str, Any] | None) -> dict[str, Any]:
    limit = threshold(month)
    customers: dict[str, dict[str, Any]] = {}
    for doc in cash_docs:
        figures = doc.get("cash", {}).get(month)
        if not figures:
            continue
        customer = customers.setdefault(
            str(doc.get("customer_id")),
            {"accounts": [], "cash_deposits_paise": 0, "cash_withdrawals_paise": 0, "deposits": 0, "withdrawals": 0},
        )
        customer["accounts"].append(doc["account_id"])
        customer["cash_deposits_paise"] += figures["in_paise"]
        customer["cash_withdrawals_paise"] += figures["out_paise"]
        customer["deposits"] += figures["in_count"]
        customer["withdrawals"] += figures["out_count"]
        items = customer.setdefault("transactions", [])
        items.extend({**item, "account_id": doc["account_id"]} for item in figures["items"])
    reported = []
    for customer_id in sorted(customers):
        c = customers[customer_id]
        over = [
            name
            for name, total in (("DEPOSITS", c["cash_deposits_paise"]), ("WITHDRAWALS", c["cash_withdrawals_paise"]))
            if total > limit
        ]
        if not over:
            continue
        c["transactions"].sort(key=lambda t: (t["occurred_at"], t["account_id"], t["version"]))
        reported.append({"customer_id": customer_id, "over_threshold": over, **c, "accounts": sorted(c["accounts"])})
    return {
        "month": month,
        "threshold_paise": limit,
        "items_listed": "every cash item of a reported customer, those under ₹50,000 included",
        "due_date": ctr_due_date(month).isoformat(),
        "filed": filing is not None,
        "filing": {k: filing[k] for k in ("reference", "filed_at", "filed_by")} if filing else None,
        "retention": retention(month),
        "customers": reported,
    }


COLUMNS = (
    "month",
    "customer_id",
    "account_id",
    "txn_id",
    "type",
    "amount_inr",
    "amount_paise",
    "date_ist",
    "time_ist",
    "occurred_at_utc",
    "narration",
    "customer_month_cash_deposits_inr",
    "customer_month_cash_withdrawals_inr",
)


def _inr(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}"


def _cell(text: str) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: quote it as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def as_csv(body: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for customer in body["customers"]:
        for t in customer["transactions"]:
            at = datetime.strptime(t["occurred_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).astimezone(IST)
            writer.writerow(
                (
                    body["month"],
                    customer["customer_id"],
                    t["account_id"],
                    _cell(t["txn_id"]),
                    "CASH_DEPOSIT" if t["direction"] == "IN" else "CASH_WITHDRAWAL",
                    _inr(t["amount_paise"]),
                    t["amount_paise"],
                    at.date().isoformat(),
                    at.strftime("%H:%M:%S"),
                    t["occurred_at"],
                    _cell(t["narration"]),
                    _inr(customer["cash_deposits_paise"]),
                    _inr(customer["cash_withdrawals_paise"]),
                )
            )
    return out.getvalue()
