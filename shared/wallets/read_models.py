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
- `wallet_balance_history`: the balance after each event, to answer "balance as of" a moment.
- `merchant_settlements`: per merchant and IST business day, captured, paid and refunded totals.
"""

from __future__ import annotations

from datetime import UTC, datetime

from shared.manifest import IndexKeys, ReadModel

RECENT_BALANCES = 16
"""How many of a wallet's latest balances its view keeps (`_balances`: [`time_key` of the event,
version, balance_after_paise, event type, occurred_at] each, in `entry_sort_key` order;
`_balances_from_opening` says none was dropped yet, so the first is the opening)."""

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
        "by_wallet_time": [("wallet_id", 1), ("sort_key", -1)],
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


def time_key(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the time itself."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_sort_key(occurred_at: datetime, wallet_id: str, version: int) -> str:
    """The stream version breaks ties between events of one moment (a transfer's two sides
    differ by wallet id); zero-padded so that it sorts as a number."""
    return f"{time_key(occurred_at)}|{wallet_id}:{version:012d}"


def entry_id(wallet_id: str, version: int) -> str:
    """The statement and balance-history document of the wallet's event at `version` (the query
    service waits for it under this id)."""
    return f"{wallet_id}:{version}"
