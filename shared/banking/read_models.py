"""The banking context's read-model contract, shared by the projections (writers) and the query
service (reader): names and index specs by name (the shapes the readers query).

- `account_view`: one document per account (`_id` = account id): owner, number, type, status,
  balance, pending transfers, the limits left in the current IST month and financial year,
  and (`_balances`) its latest balances (`shared.balances`). `list_key` (opening time + id)
  orders a customer's accounts.
- `account_statement`: one document per event of the account (`shared.balances.entry_id`):
  a movement's entry with its running balance (`balance_after_paise`), newest first by
  `sort_key`, or a marker no list sees (an event that moves no money).
- `account_balance_history`: the balance after each event, for "balance as of" a moment.
"""

from __future__ import annotations

from datetime import datetime

from shared.balances import history_index, time_key
from shared.manifest import IndexKeys, ReadModel

ACCOUNT_VIEW = "account_view"
ACCOUNT_STATEMENT = "account_statement"
ACCOUNT_BALANCE_HISTORY = "account_balance_history"

INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    ACCOUNT_VIEW: {
        "by_customer": [("customer_id", 1), ("list_key", -1)],
        "by_number": [("account_number", 1)],
    },
    ACCOUNT_STATEMENT: {
        "by_account": [("account_id", 1), ("sort_key", -1)],
        "by_account_kind": [("account_id", 1), ("kind", 1), ("sort_key", -1)],
    },
    ACCOUNT_BALANCE_HISTORY: {
        "by_account_time": history_index("account_id"),
    },
}

READ_MODELS = tuple(
    ReadModel(name, INDEX_SPECS[name]) for name in (ACCOUNT_VIEW, ACCOUNT_STATEMENT, ACCOUNT_BALANCE_HISTORY)
)


def list_key(opened_at: datetime, account_id: str) -> str:
    """A customer's accounts, newest first: the opening time, then the id (ties)."""
    return f"{time_key(opened_at)}|{account_id}"
