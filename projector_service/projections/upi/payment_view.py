"""The payment view: one document per UPI payment (`_id` = its RRN), from the payer VPA's
`UpiPaymentSent`: both VPAs (`vpas`, for the list by VPA), both owners (`customer_ids`, for a
customer's reads), the amount, the status and `sort_key` (IST-independent UTC time + RRN: newest
first). Written once per payment; its version is the payer VPA stream's at that event."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.balances import time_key
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.upi.events import UpiPaymentSent
from shared.upi.read_models import UPI_PAYMENT_VIEW
from shared.upi.streams import VPA


def _doc_id(env: EventEnvelope) -> str | None:
    if env.stream_type != VPA.name or env.event_type != UpiPaymentSent.__name__:
        return None
    rrn = env.data.get("rrn")
    return rrn if isinstance(rrn, str) else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if not isinstance(event, UpiPaymentSent):
        return doc
    return {
        "_id": event.rrn,
        "rrn": event.rrn,
        "payment_id": event.payment_id,
        "payer_vpa": event.payer_vpa,
        "payee_vpa": event.payee_vpa,
        "vpas": [event.payer_vpa, event.payee_vpa],
        "customer_ids": sorted({event.payer_customer_id, event.payee_customer_id}),
        "amount_paise": event.amount_paise,
        "note": event.note,
        "p2p": event.p2p,
        "status": event.status.value,
        "payer": {"link_type": event.payer_link_type.value, "link_id": event.payer_link_id},
        "payee": {"link_type": event.payee_link_type.value, "link_id": event.payee_link_id},
        "occurred_at": event.occurred_at,
        "sort_key": f"{time_key(event.occurred_at)}|{event.rrn}",
    }


UPI_PAYMENT_PROJECTION = Projection(
    name=UPI_PAYMENT_VIEW, collection=UPI_PAYMENT_VIEW, stream_types=(VPA.name,), doc_id=_doc_id, apply=apply
)
