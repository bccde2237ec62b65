"""The account statement: one document per event of an account (`_id` = account id + ":" +
stream version, so a replayed or redelivered event rewrites nothing), listed newest first per
account by `sort_key` (event time + account id + zero-padded version, `shared.balances`), each
with the running balance after it (`balance_after_paise`, from the event: never summed here).

An event that is no movement leaves a small marker under the same id instead, with no top-level
`account_id`, so no list ever sees it, yet a consistency token's version can be waited for here.
"""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.engine.balances import balance_stamp
from projector_service.projections.banking.entries import entry
from shared.balances import entry_id, entry_sort_key
from shared.banking.read_models import ACCOUNT_STATEMENT
from shared.banking.streams import ACCOUNT
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.periods import day_key, month_key


def _doc_id(env: EventEnvelope) -> str | None:
    return entry_id(env.stream_id, env.version) if env.stream_type == ACCOUNT.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    account_id = env.stream_id  # an account's stream id is its account id
    fields, stamped = entry(event), balance_stamp(event)
    if fields is None or stamped is None:
        return {"_id": entry_id(account_id, env.version), "marker": {"account_id": account_id, "event": env.event_type}}
    at, balance = stamped
    return {
        "_id": entry_id(account_id, env.version),
        "account_id": account_id,
        "sort_key": entry_sort_key(at, account_id, env.version),
        "occurred_at": at,
        "month": month_key(at),
        "day": day_key(at),
        **fields,
        "balance_after_paise": balance,
    }


ACCOUNT_STATEMENT_VIEW = Projection(
    name=ACCOUNT_STATEMENT, collection=ACCOUNT_STATEMENT, stream_types=(ACCOUNT.name,), doc_id=_doc_id, apply=apply
)
