"""The wallet statement: one document per movement of a wallet (`_id` = wallet id + ":" + stream
version, so a replayed or redelivered event rewrites nothing), listed newest first per wallet by
`sort_key` (event time + wallet id + zero-padded version, `shared.wallets.read_models`).

An event of the wallet that is no movement (opening, KYC, freezing) leaves a small marker
document under the same id instead, with no top-level `wallet_id`, so no list ever sees it: a
consistency token names a stream version, and the statement can then be waited for at any
version (the marker's `version` is the event's) instead of only at movements.
"""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.projections.wallets.entries import entry, stamp
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.periods import day_key, month_key
from shared.wallets.read_models import WALLET_STATEMENT, entry_id, entry_sort_key
from shared.wallets.streams import WALLET


def _doc_id(env: EventEnvelope) -> str | None:
    return entry_id(env.stream_id, env.version) if env.stream_type == WALLET.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    wallet_id = env.stream_id  # a wallet's stream id is its wallet id
    fields, stamped = entry(event), stamp(event)
    if fields is None or stamped is None:
        return {"_id": entry_id(wallet_id, env.version), "marker": {"wallet_id": wallet_id, "event": env.event_type}}
    at = stamped.at
    held = {} if stamped.held_after_paise is None else {"held_after_paise": stamped.held_after_paise}
    return {
        "_id": entry_id(wallet_id, env.version),
        "wallet_id": wallet_id,
        "sort_key": entry_sort_key(at, wallet_id, env.version),
        "occurred_at": at,
        "month": month_key(at),
        "day": day_key(at),
        **fields,
        "balance_after_paise": stamped.balance_after_paise,
        **held,
    }


WALLET_STATEMENT_VIEW = Projection(
    name=WALLET_STATEMENT, collection=WALLET_STATEMENT, stream_types=(WALLET.name,), doc_id=_doc_id, apply=apply
)
