"""Read-model views: one module per read model, MongoDB query -> *View model."""

from query_service.views.orders import OrderView, get_order
from query_service.views.products import ProductView, get_product

__all__ = ["OrderView", "ProductView", "get_order", "get_product"]
