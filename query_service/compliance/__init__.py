"""The compliance context in the query service: the CTR of a month and the STR cases (`routes`),
staff only."""

from query_service.compliance import routes
from query_service.manifest import QueryManifest
from shared.compliance import MANIFEST as SHARED

MANIFEST = QueryManifest(shared=SHARED, routers=(routes.router,))
