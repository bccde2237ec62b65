"""The commerce context in the query service: orders, products and customers as the API shows
them (`views`), their single-document reads (`routes`, plain reads included) and lists."""

from query_service.commerce import lists, routes
from query_service.manifest import QueryManifest
from shared.commerce import MANIFEST as SHARED

MANIFEST = QueryManifest(
    shared=SHARED,
    routers=(routes.router, lists.router),
    plain_reads=routes.PLAIN_READS,
)
