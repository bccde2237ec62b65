"""The commerce context's views: one module per read model, MongoDB query -> *View model."""

from query_service.commerce.views.customers import (
    CustomerSummaryView,
    get_summary,
    list_customer_orders,
    order_version,
)
from query_service.commerce.views.orders import OrderView, get_order
from query_service.commerce.views.products import ProductView, get_product, list_products
from query_service.commerce.views.search import SearchFilters, search_orders

__all__ = [
    "CustomerSummaryView",
    "OrderView",
    "ProductView",
    "SearchFilters",
    "get_order",
    "get_product",
    "get_summary",
    "list_customer_orders",
    "list_products",
    "order_version",
    "search_orders",
]
