"""The payment view: one document per UPI payment (`_id` = its RRN), from the payer VPA's
`UpiPaymentSent`: both VPAs (`vpas`, for the list by VPA), both owners (`customer_ids`, for a
customer's reads; a payee outside Bahi has none), the amount, the status and `sort_key`
(IST-independent UTC time + RRN: newest first). A payment leaving Bahi is written PENDING and
moved on by the events of the same stream: COMPLETED (credited at the payee's psp), DECLINED,
DEEMED (with `reverse_by`), REVERSED (with `days_late` and `compensation_paise`), each with its
time (`completed_at`, `declined_at`, `deemed_at`, `reversed_at`) and `reason`. Its version is the
payer VPA stream's at the latest of them."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.balances import time_key
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.upi.events import (
    UpiPaymentCompleted,
    UpiPaymentDeclined,
    UpiPaymentDeemed,
    UpiPaymentReversed,
    UpiPaymentSent,
)
from shared.upi.read_models import UPI_PAYMENT_VIEW
from shared.upi.streams import VPA
from shared.upi.values import PaymentStatus

_TYPES = frozenset(
    e.__name__ for e in (UpiPaymentSent, UpiPaymentCompleted, UpiPaymentDeclined, UpiPaymentDeemed, UpiPaymentReversed)
)


def _doc_id(env: EventEnvelope) -> str | None:
    if env.stream_type != VPA.name or env.event_type not in _TYPES:
        return None
    rrn = env.data.get("rrn")
    return rrn if isinstance(rrn, str) else None


def _sent(event: UpiPaymentSent) -> Document:
    payee = None
    if event.payee_link_type is not None:
        payee = {"link_type": event.payee_link_type.value, "link_id": event.payee_link_id}
    completed = event.occurred_at if event.status is PaymentStatus.COMPLETED else None
    return {
        "_id": event.rrn,
        "rrn": event.rrn,
        "payment_id": event.payment_id,
        "payer_vpa": event.payer_vpa,
        "payee_vpa": event.payee_vpa,
        "vpas": [event.payer_vpa, event.payee_vpa],
        "customer_ids": sorted({event.payer_customer_id, event.payee_customer_id} - {None}),
        "amount_paise": event.amount_paise,
        "note": event.note,
        "p2p": event.p2p,
        "status": event.status.value,
        "leaves_bahi": payee is None,
        "payer": {"link_type": event.payer_link_type.value, "link_id": event.payer_link_id},
        "payee": payee,
        "occurred_at": event.occurred_at,
        "completed_at": completed,
        "reason": None,
        "sort_key": f"{time_key(event.occurred_at)}|{event.rrn}",
    }


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    match event:
        case UpiPaymentSent():
            return _sent(event)
        case UpiPaymentCompleted() if doc is not None:
            return {**doc, "status": PaymentStatus.COMPLETED.value, "completed_at": event.occurred_at}
        case UpiPaymentDeclined() if doc is not None:
            declined = {"declined_at": event.occurred_at, "reason": event.reason}
            return {**doc, "status": PaymentStatus.DECLINED.value, **declined}
        case UpiPaymentDeemed() if doc is not None:
            deemed = {"deemed_at": event.occurred_at, "reason": event.reason, "reverse_by": event.reverse_by}
            return {**doc, "status": PaymentStatus.DEEMED.value, **deemed}
        case UpiPaymentReversed() if doc is not None:
            return {
                **doc,
                "status": PaymentStatus.REVERSED.value,
                "reversed_at": event.occurred_at,
                "reverse_by": event.reverse_by,
                "reversal_reason": event.reason,
                "days_late": event.days_late,
                "compensation_paise": event.compensation_paise,
            }
    return doc


UPI_PAYMENT_PROJECTION = Projection(
    name=UPI_PAYMENT_VIEW, collection=UPI_PAYMENT_VIEW, stream_types=(VPA.name,), doc_id=_doc_id, apply=apply
)
