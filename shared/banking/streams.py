"""The banking context's stream types and ids, as every service sees them.

An account is one stream (its id is the account id, `acc-<32 hex>`, made by the server). Each
account number is claimed by a stream of its own, `bank-account-number-<number>`, holding the
one event that says which account has it: opening an account appends to both in one atomic
append, the claim at "no stream yet", so no two accounts ever get one number.
"""

from __future__ import annotations

from uuid import uuid4

from shared.streams import StreamType

ACCOUNT = StreamType("bank_account", id_prefix="acc-", key_is_stream_id=True)
ACCOUNT_NUMBER = StreamType("bank_account_number", id_prefix="bank-account-number-")
"""Keyed by account number; no view reads it (the account view carries the number)."""

ACCOUNT_ID_PATTERN = r"^acc-[0-9a-f]{32}$"


def new_account_id() -> str:
    return f"{ACCOUNT.id_prefix}{uuid4().hex}"


def number_stream_id(account_number: str) -> str:
    return ACCOUNT_NUMBER.stream_id(account_number)
