"""Read-model views: one module per read model, MongoDB query -> *View model."""

from query_service.views.customers import CustomerSummaryView, get_summary, list_customer_orders, order_version
from query_service.views.loader import DocumentLoader
from query_service.views.orders import OrderView, get_order
from query_service.views.paging import DEFAULT_LIMIT, MAX_LIMIT, CursorError, Page
from query_service.views.products import ProductView, get_product, list_products
from query_service.views.search import SearchFilters, search_orders

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CursorError",
    "CustomerSummaryView",
    "DocumentLoader",
    "OrderView",
    "Page",
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
