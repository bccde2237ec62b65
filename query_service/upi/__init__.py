"""The upi context in the query service: a VPA, a payment by RRN and a VPA's payments (`routes`),
a collect request and a VPA's collect requests (`collects`)."""

from query_service.manifest import QueryManifest
from query_service.upi import collects, routes
from shared.upi import MANIFEST as SHARED

MANIFEST = QueryManifest(shared=SHARED, routers=(routes.router, collects.router))
