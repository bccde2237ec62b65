"""Read-model names shared by the projector (writer) and the query service (reader)."""

ORDER_VIEW = "order_view"
PRODUCT_VIEW = "product_view"
