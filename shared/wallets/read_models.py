"""The wallets context's read-model contract, shared by the projections (writers) and the query
service (reader): names, index specs by name (the shapes the readers query), and the sort key
of statement and history entries.

- `wallet_view`: one document per wallet (`_id` = wallet id): status, KYC level, balance,
  held and available, open holds, loads of the current month and FY, and (`_balances`) the
  balance after each of its last `RECENT_BALANCES` events, so a "balance as of" a recent
  moment is one read by id.
- `wallet_statement`: one document per movement, newest first per wallet, filterable by IST
  month and kind; `sort_key` = occurred_at (UTC, fixed width) + "|" + wallet id + ":" + version,
  one string, so a cursor is one range bound and stays stable under new entries.
- `wallet_balance_history`: the balance after each event, to answer "balance as of" a moment
  (the generic time-aware balance of `shared.balances`, whose keys are re-exported here).
- `merchant_settlements`: per merchant and IST business day, captured, paid and refunded totals.
"""

from __future__ import annotations

from shared.balances import RECENT_BALANCES, entry_id, entry_sort_key, history_index, time_key
from shared.manifest import IndexKeys, ReadModel

WALLET_VIEW = "wallet_view"
WALLET_STATEMENT = "wallet_statement"
WALLET_BALANCE_HISTORY = "wallet_balance_history"
MERCHANT_SETTLEMENTS = "merchant_settlements"

INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    WALLET_VIEW: {
        "by_customer": [("customer_id", 1)],
        "by_mobile": [("mobile", 1)],
        "by_status": [("status", 1), ("_id", 1)],
    },
    WALLET_STATEMENT: {
        "by_wallet": [("wallet_id", 1), ("sort_key", -1)],
        "by_wallet_month": [("wallet_id", 1), ("month", 1), ("sort_key", -1)],
        "by_wallet_kind": [("wallet_id", 1), ("kind", 1), ("sort_key", -1)],
        "by_movement_id": [("wallet_id", 1), ("movement_id", 1)],
    },
    WALLET_BALANCE_HISTORY: {
        "by_wallet_time": history_index("wallet_id"),
    },
    MERCHANT_SETTLEMENTS: {
        "by_merchant_day": [("merchant_id", 1), ("day", -1)],
        "by_day": [("day", 1), ("merchant_id", 1)],
    },
}

READ_MODELS = tuple(
    ReadModel(name, INDEX_SPECS[name])
    for name in (WALLET_VIEW, WALLET_STATEMENT, WALLET_BALANCE_HISTORY, MERCHANT_SETTLEMENTS)
)


__all__ = [
    "INDEX_SPECS",
    "MERCHANT_SETTLEMENTS",
    "READ_MODELS",
    "RECENT_BALANCES",
    "WALLET_BALANCE_HISTORY",
    "WALLET_STATEMENT",
    "WALLET_VIEW",
    "entry_id",
    "entry_sort_key",
    "time_key",
]
