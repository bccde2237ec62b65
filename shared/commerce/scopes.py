"""The commerce context's scopes: what a staff or service token needs on its routes (customer
tokens are judged by each route's customer rule instead)."""

CATALOG_READ = "catalog:read"
CATALOG_WRITE = "catalog:write"
ORDERS_READ = "orders:read"
ORDERS_WRITE = "orders:write"
PAYMENTS_WRITE = "payments:write"
"""Recording a payment provider's report (a capture or a failure): its callback's scope."""

SCOPES = (CATALOG_READ, CATALOG_WRITE, ORDERS_READ, ORDERS_WRITE, PAYMENTS_WRITE)
