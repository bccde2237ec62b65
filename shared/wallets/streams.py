"""The wallets context's stream types and ids, as every service sees them.

A wallet is one stream (its id is the wallet id, `wal-<32 hex>`, made by the server). The
owner index is one stream per customer, `wallet-owner-<customer_id>`, holding the one event
that says which wallet the customer has: opening a wallet appends to both in one atomic
append, the index at "no stream yet", so two concurrent opens for one customer cannot both
succeed.
"""

from __future__ import annotations

from uuid import uuid4

from shared.streams import StreamType

WALLET = StreamType("wallet", id_prefix="wal-", key_is_stream_id=True)
WALLET_OWNER = StreamType("wallet_owner", id_prefix="wallet-owner-")
"""Keyed by customer id; no view reads it (the wallet view carries the customer id)."""

WALLET_ID_PATTERN = r"^wal-[0-9a-f]{32}$"


def new_wallet_id() -> str:
    return f"{WALLET.id_prefix}{uuid4().hex}"


def owner_stream_id(customer_id: str) -> str:
    return WALLET_OWNER.stream_id(customer_id)
