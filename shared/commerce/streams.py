"""The commerce context's stream types, ids and order statuses, as every service sees them."""

from __future__ import annotations

from enum import StrEnum
from uuid import uuid4

from shared.streams import StreamType

ORDER = StreamType("order", id_prefix="ord-", key_is_stream_id=True)
"""One stream per order; its id is the order id (`ord-<32 hex>`, made by the server)."""
PRODUCT = StreamType("product", id_prefix="product-")
"""One stream per SKU: `product-<sku>`."""

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


def new_order_id() -> str:
    return f"{ORDER.id_prefix}{uuid4().hex}"


def product_stream_id(sku: str) -> str:
    return PRODUCT.stream_id(sku)


class OrderStatus(StrEnum):
    """An order's status; the legal steps between them are the domain's
    (`command_service.commerce.domain.order_status.TRANSITIONS`)."""

    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURNED = "RETURNED"
