"""The VPA view: one document per VPA (`_id` = the VPA), from its registration, with what it has
sent (`payments_sent`, `sent_paise`: payments that stand or still may, as NPCI counts them) and
what failed (`payments_failed`, `failed_paise`: payments leaving Bahi that the switch declined or
that were reversed, taken off what it sent). Its version is the VPA stream's, so a payment's
consistency token (the payer VPA's stream) can be waited for here too."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.upi.events import UpiPaymentDeclined, UpiPaymentReversed, UpiPaymentSent, UpiVpaRegistered
from shared.upi.read_models import UPI_VPA_VIEW
from shared.upi.streams import VPA


def _doc_id(env: EventEnvelope) -> str | None:
    return VPA.key(env.stream_id) if env.stream_type == VPA.name else None


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    match event:
        case UpiVpaRegistered():
            return {
                "_id": event.vpa,
                "vpa": event.vpa,
                "kind": event.kind.value,
                "link_type": event.link_type.value,
                "link_id": event.link_id,
                "customer_id": event.customer_id,
                "registered_at": event.occurred_at,
                "payments_sent": 0,
                "sent_paise": 0,
                "payments_failed": 0,
                "failed_paise": 0,
                "last_payment_at": None,
            }
        case UpiPaymentSent() if doc is not None:
            return {
                **doc,
                "payments_sent": doc["payments_sent"] + 1,
                "sent_paise": doc["sent_paise"] + event.amount_paise,
                "last_payment_at": event.occurred_at,
            }
        case UpiPaymentDeclined() | UpiPaymentReversed() if doc is not None:
            return {
                **doc,
                "payments_sent": doc["payments_sent"] - 1,
                "sent_paise": doc["sent_paise"] - event.amount_paise,
                "payments_failed": doc.get("payments_failed", 0) + 1,  # a document from before it counted them: 0
                "failed_paise": doc.get("failed_paise", 0) + event.amount_paise,
            }
    return doc


UPI_VPA_PROJECTION = Projection(
    name=UPI_VPA_VIEW, collection=UPI_VPA_VIEW, stream_types=(VPA.name,), doc_id=_doc_id, apply=apply
)
