"""The banking context in the query service: an account and its balance at a moment (`routes`),
an account's statement and a customer's accounts (`lists`)."""

from query_service.banking import lists, routes
from query_service.manifest import QueryManifest
from shared.banking import MANIFEST as SHARED

MANIFEST = QueryManifest(shared=SHARED, routers=(routes.router, lists.router))
