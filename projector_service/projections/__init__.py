"""Projections: one module per read model. Each is a pure function from
(current document, event) to the next document; `runner` applies them to MongoDB.

`INDEXES` names, per collection, the indexes its queries rely on (the query
service hints them by name); whoever creates or rebuilds a collection creates them.
"""

from pymongo import IndexModel

from projector_service.projections.base import Projection
from projector_service.projections.customer_orders import CUSTOMER_ORDERS_VIEW
from projector_service.projections.customer_summary import CUSTOMER_SUMMARY_VIEW
from projector_service.projections.order_search import ORDER_SEARCH_VIEW
from projector_service.projections.order_view import ORDER_VIEW
from projector_service.projections.product_view import PRODUCT_VIEW
from shared.commerce.read_models import INDEX_SPECS

PROJECTIONS: dict[str, Projection] = {
    p.name: p for p in (ORDER_VIEW, PRODUCT_VIEW, CUSTOMER_ORDERS_VIEW, CUSTOMER_SUMMARY_VIEW, ORDER_SEARCH_VIEW)
}

INDEXES: dict[str, list[IndexModel]] = {
    collection: [IndexModel(keys, name=name) for name, keys in specs.items()]
    for collection, specs in INDEX_SPECS.items()
}

__all__ = ["INDEXES", "PROJECTIONS", "Projection"]
