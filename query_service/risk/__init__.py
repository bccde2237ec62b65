"""The risk context in the query service: alerts and subjects (`routes`), staff only."""

from query_service.manifest import QueryManifest
from query_service.risk import routes
from shared.risk import MANIFEST as SHARED

MANIFEST = QueryManifest(shared=SHARED, routers=(routes.router,))
