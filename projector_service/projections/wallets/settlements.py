"""Merchant settlements: one document per merchant and IST business day (`_id` = merchant id +
":" + day, "2025-03-31"), fed by every wallet that paid or was refunded by the merchant that day
(a multi-stream projection: the engine records the version applied per wallet stream in
`_applied`, so a redelivery counts nothing twice). The day is the event's Indian date: 18:30
UTC is already the next day.

Captured money is a direct payment or a captured hold (at its capture, for the captured part);
a hold placed, voided or expired settles nothing. Sums only, so the document does not depend on
the order in which the wallets' streams arrive.
"""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import DomainEvent, parse_event
from shared.periods import day_key
from shared.wallets.events import WalletHoldCaptured, WalletPaid, WalletRefunded
from shared.wallets.read_models import MERCHANT_SETTLEMENTS
from shared.wallets.streams import WALLET

_SETTLING = frozenset(kind.__name__ for kind in (WalletPaid, WalletHoldCaptured, WalletRefunded))


def settlement_id(merchant_id: str, day: str) -> str:
    return f"{merchant_id}:{day}"


def _doc_id(env: EventEnvelope) -> str | None:
    if env.stream_type != WALLET.name or env.event_type not in _SETTLING:
        return None
    event = parse_event(env.event_type, env.schema_version, env.data)  # upcast: the day needs the current schema
    if not isinstance(event, WalletPaid | WalletHoldCaptured | WalletRefunded):
        return None
    return settlement_id(event.merchant_id, day_key(event.occurred_at))


def _empty(merchant_id: str, day: str) -> Document:
    return {
        "_id": settlement_id(merchant_id, day),
        "merchant_id": merchant_id,
        "day": day,
        "captured_paise": 0,
        "refunded_paise": 0,
        "net_paise": 0,
        "capture_count": 0,
        "refund_count": 0,
    }


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if not isinstance(event, WalletPaid | WalletHoldCaptured | WalletRefunded):
        return doc
    day = day_key(event.occurred_at)
    doc = dict(doc) if doc is not None else _empty(event.merchant_id, day)
    if isinstance(event, WalletRefunded):
        doc["refunded_paise"] += event.amount_paise
        doc["refund_count"] += 1
    else:
        doc["captured_paise"] += event.amount_paise if isinstance(event, WalletPaid) else event.captured_paise
        doc["capture_count"] += 1
    doc["net_paise"] = doc["captured_paise"] - doc["refunded_paise"]
    return doc


MERCHANT_SETTLEMENTS_VIEW = Projection(
    name=MERCHANT_SETTLEMENTS,
    collection=MERCHANT_SETTLEMENTS,
    stream_types=(WALLET.name,),
    doc_id=_doc_id,
    apply=apply,
    multi_stream=True,
)
