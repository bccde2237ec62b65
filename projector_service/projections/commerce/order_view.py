"""The order view: everything a customer page shows about one order — status,
priced items, totals, payment, shipment, return and the full timeline."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from projector_service.projections.commerce.order_steps import step
from shared.commerce.events import (
    OrderCancelled,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    PaymentCaptured,
    PaymentFailed,
    ReturnReceived,
    ReturnRequested,
    SurplusCause,
    SurplusPaymentCaptured,
)
from shared.commerce.read_models import ORDER_VIEW as COLLECTION
from shared.commerce.streams import ORDER
from shared.envelope import EventEnvelope
from shared.events import DomainEvent


def _doc_id(env: EventEnvelope) -> str | None:
    return env.stream_id if env.stream_type == ORDER.name else None


def _placed(event: OrderPlaced) -> Document:
    prepaid = event.payment_method.prepaid
    return {
        "_id": event.order_id,
        "order_id": event.order_id,
        "customer_id": event.customer_id,
        "client_order_id": event.client_order_id,
        "items": [line.model_dump() for line in event.items],
        "subtotal_paise": event.subtotal_paise,
        "gst_paise": event.gst_paise,
        "total_paise": event.total_paise,
        "payment_method": event.payment_method.value,
        "shipping_address": event.shipping_address.model_dump(),
        "placed_at": event.placed_at,
        "payment": {
            "method": event.payment_method.value,
            "status": "PENDING" if prepaid else "DUE_ON_DELIVERY",
            "amount_paise": event.total_paise,
            "attempts": 0,
        },
        "shipment": None,
        "cancellation": None,
        "return": None,
        "refund_due_paise": 0,
        "timeline": [],
    }


def _details(doc: Document, event: DomainEvent) -> Document:
    """The parts of the view an event fills in besides the status and timeline."""
    payment = doc["payment"]
    match event:
        case PaymentCaptured():
            payment = {
                **payment,
                "status": "CAPTURED",
                "amount_paise": event.amount_paise,
                "provider_reference": event.provider_reference,
                "captured_at": event.captured_at,
                "attempts": payment["attempts"] + 1,
            }
            return {**doc, "payment": payment}
        case SurplusPaymentCaptured():
            return _surplus(doc, event)
        case PaymentFailed():
            payment = {
                **payment,
                "status": "FAILED",
                "provider_reference": event.provider_reference,
                "failure_reason": event.reason,
                "attempts": payment["attempts"] + 1,
            }
            return {**doc, "payment": payment}
        case OrderShipped():
            return {
                **doc,
                "shipment": {
                    "courier": event.courier,
                    "tracking_id": event.tracking_id,
                    "shipped_at": event.shipped_at,
                },
            }
        case OrderDelivered():
            shipment = {**(doc["shipment"] or {}), "delivered_at": event.delivered_at}
            if payment["status"] == "DUE_ON_DELIVERY":
                payment = {**payment, "status": "COLLECTED", "captured_at": event.delivered_at}
            return {**doc, "shipment": shipment, "payment": payment, "returnable_until": event.returnable_until}
        case OrderCancelled():
            cancellation = {"reason": event.reason, "cancelled_at": event.cancelled_at}
            return {**_refund(doc, event.refund_due_paise), "cancellation": cancellation}
        case ReturnRequested():
            return {**doc, "return": {"reason": event.reason, "requested_at": event.requested_at}}
        case ReturnReceived():
            returned = {**(doc["return"] or {}), "received_at": event.received_at}
            return {**_refund(doc, event.refund_due_paise), "return": returned}
    return doc


def _refund(doc: Document, paise: int) -> Document:
    """The order's own capture is due back (cancelled or returned); adds to what surplus
    captures made due already."""
    if not paise:
        return doc
    payment = doc["payment"]
    owed = list(payment.get("refund_references", []))
    if payment.get("provider_reference") and payment["status"] in ("CAPTURED", "COLLECTED"):
        owed.append(payment["provider_reference"])
    payment = {**payment, "status": "REFUND_DUE", "refund_references": owed}
    return {**doc, "payment": payment, "refund_due_paise": doc["refund_due_paise"] + paise}


def _surplus(doc: Document, event: SurplusPaymentCaptured) -> Document:
    """A capture the order cannot use. For a cancelled order that was never paid it is the
    order's payment, shown as due back; for a paid order the payment shown stays the one
    kept, and the duplicate's reference joins `refund_references`."""
    payment = doc["payment"]
    owed = [*payment.get("refund_references", []), event.provider_reference]
    payment = {**payment, "refund_references": owed, "attempts": payment["attempts"] + 1}
    if event.cause is SurplusCause.ORDER_CANCELLED and payment["status"] != "REFUND_DUE":
        payment = {
            **payment,
            "status": "REFUND_DUE",
            "amount_paise": event.amount_paise,
            "provider_reference": event.provider_reference,
            "captured_at": event.captured_at,
        }
    return {**doc, "payment": payment, "refund_due_paise": doc["refund_due_paise"] + event.refund_due_paise}


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    change = step(event)
    if change is None:
        return doc
    if isinstance(event, OrderPlaced):
        doc = _placed(event)
    elif doc is None:
        return None  # an order's first event is OrderPlaced: nothing else can come first
    doc = _details(doc, event)
    status = change.status or doc["status"]
    entry = {"status": status, "at": change.at, "event": type(event).__name__, "reason": change.reason}
    return {**doc, "status": status, "updated_at": change.at, "timeline": [*doc["timeline"], entry]}


ORDER_VIEW = Projection(name=COLLECTION, collection=COLLECTION, stream_types=(ORDER.name,), doc_id=_doc_id, apply=apply)
