"""The wallets context's query inputs: the generic moments and days (`query_service.reads.params`,
re-exported here) and statement kinds, the shared read-model contract's (`shared.wallets.values`)."""

from __future__ import annotations

from query_service.reads.params import InputError, day, moment
from shared.wallets.values import STATEMENT_KINDS


def kind(field: str, raw: str) -> str:
    if raw not in STATEMENT_KINDS:
        raise InputError(field, f"must be one of {', '.join(STATEMENT_KINDS)}")
    return raw


__all__ = ["InputError", "day", "kind", "moment"]
