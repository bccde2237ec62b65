"""Projections: one module per read model. Each is a pure function from
(current document, event) to the next document; `runner` applies them to MongoDB."""

from projector_service.projections.base import Projection
from projector_service.projections.order_view import ORDER_VIEW
from projector_service.projections.product_view import PRODUCT_VIEW

PROJECTIONS: dict[str, Projection] = {p.name: p for p in (ORDER_VIEW, PRODUCT_VIEW)}

__all__ = ["PROJECTIONS", "Projection"]
