"""The wallet's balance history: one document per event of the wallet (`_id` = wallet id + ":" +
stream version), with the balance after it, keyed for "balance as of T" by `sort_key` (event
time + wallet id + version): one indexed query (`by_wallet_time`, the newest key at or before
T), never a replay. The opening is the first entry, so a moment before it is "no wallet yet".

Every wallet event carries `balance_after_paise`, so each document stands alone: replays and
redeliveries rewrite nothing, and events that leave the balance as it was (KYC, freezing) are
entries too, which lets a consistency token's version be waited for here as well.
"""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.engine.balances import history_entry
from projector_service.projections.wallets.entries import stamp
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.wallets.events import WalletOpened
from shared.wallets.read_models import WALLET_BALANCE_HISTORY, entry_id
from shared.wallets.streams import WALLET


def _doc_id(env: EventEnvelope) -> str | None:
    return entry_id(env.stream_id, env.version) if env.stream_type == WALLET.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    stamped = stamp(event)
    if stamped is None:
        return doc
    return history_entry(
        "wallet_id",
        env.stream_id,
        env.version,
        stamped.at,
        env.event_type,
        stamped.balance_after_paise,
        opening=isinstance(event, WalletOpened),
    )


WALLET_BALANCE_HISTORY_VIEW = Projection(
    name=WALLET_BALANCE_HISTORY,
    collection=WALLET_BALANCE_HISTORY,
    stream_types=(WALLET.name,),
    doc_id=_doc_id,
    apply=apply,
)
