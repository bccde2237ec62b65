"""The collect view: one document per collect request (`_id` = its `collect_id`), from its own
stream: the merchant's VPA asking (`payee_vpa`), the payer's, both owners (`customer_ids`, for a
customer's reads), both VPAs (`vpas`, for a VPA's list), the amount, `expires_at`, and its
status as stored — REQUESTED, then ACCEPTED (with the payment's `rrn`) or DECLINED (with the
reason). A request left REQUESTED past `expires_at` has lapsed: the query service shows it as
EXPIRED (lapsing is time passing; no event records it). `sort_key`: the request's time + id,
newest first. Its version is the collect stream's."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.balances import time_key
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.upi.events import UpiCollectAccepted, UpiCollectDeclined, UpiCollectRequested
from shared.upi.read_models import UPI_COLLECT_VIEW
from shared.upi.streams import COLLECT


def _doc_id(env: EventEnvelope) -> str | None:
    return COLLECT.key(env.stream_id) if env.stream_type == COLLECT.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    match event:
        case UpiCollectRequested():
            return {
                "_id": event.collect_id,
                "collect_id": event.collect_id,
                "payee_vpa": event.payee_vpa,
                "payer_vpa": event.payer_vpa,
                "vpas": [event.payer_vpa, event.payee_vpa],
                "customer_ids": sorted({event.payer_customer_id, event.payee_customer_id}),
                "amount_paise": event.amount_paise,
                "note": event.note,
                "status": "REQUESTED",
                "requested_at": event.occurred_at,
                "expires_at": event.expires_at,
                "answered_at": None,
                "rrn": None,
                "reason": None,
                "sort_key": f"{time_key(event.occurred_at)}|{event.collect_id}",
            }
        case UpiCollectAccepted() if doc is not None:
            return {**doc, "status": "ACCEPTED", "answered_at": event.occurred_at, "rrn": event.rrn}
        case UpiCollectDeclined() if doc is not None:
            return {**doc, "status": "DECLINED", "answered_at": event.occurred_at, "reason": event.reason}
    return doc


UPI_COLLECT_PROJECTION = Projection(
    name=UPI_COLLECT_VIEW, collection=UPI_COLLECT_VIEW, stream_types=(COLLECT.name,), doc_id=_doc_id, apply=apply
)
