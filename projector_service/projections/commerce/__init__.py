"""The commerce context's projections: the order view, the product (stock) view, a customer's
orders, the customer summary and order search, all fed by the order and product streams."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.commerce.customer_orders import CUSTOMER_ORDERS_VIEW
from projector_service.projections.commerce.customer_summary import CUSTOMER_SUMMARY_VIEW
from projector_service.projections.commerce.order_search import ORDER_SEARCH_VIEW
from projector_service.projections.commerce.order_view import ORDER_VIEW
from projector_service.projections.commerce.product_view import PRODUCT_VIEW
from shared.commerce import MANIFEST as SHARED

MANIFEST = ProjectorManifest(
    shared=SHARED,
    projections=(ORDER_VIEW, PRODUCT_VIEW, CUSTOMER_ORDERS_VIEW, CUSTOMER_SUMMARY_VIEW, ORDER_SEARCH_VIEW),
)

__all__ = ["MANIFEST"]
