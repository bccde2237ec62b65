"""The upi context in the query service: a VPA, a payment by RRN and a VPA's payments (`routes`)."""

from query_service.manifest import QueryManifest
from query_service.upi import routes
from shared.upi import MANIFEST as SHARED

MANIFEST = QueryManifest(shared=SHARED, routers=(routes.router,))
