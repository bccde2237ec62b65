"""The account's balance history: one document per event of the account, with the balance after
it, for "balance as of T" in one indexed query (the generic time-aware balance,
`shared.balances` and `projector_service.engine.balances`, as the wallet's)."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.engine.balances import balance_stamp, history_entry
from shared.balances import entry_id
from shared.banking.events import AccountOpened
from shared.banking.read_models import ACCOUNT_BALANCE_HISTORY
from shared.banking.streams import ACCOUNT
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return entry_id(env.stream_id, env.version) if env.stream_type == ACCOUNT.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    stamped = balance_stamp(event)
    if stamped is None:
        return doc
    at, balance = stamped
    opening = isinstance(event, AccountOpened)
    return history_entry("account_id", env.stream_id, env.version, at, env.event_type, balance, opening=opening)


ACCOUNT_BALANCE_HISTORY_VIEW = Projection(
    name=ACCOUNT_BALANCE_HISTORY,
    collection=ACCOUNT_BALANCE_HISTORY,
    stream_types=(ACCOUNT.name,),
    doc_id=_doc_id,
    apply=apply,
)
