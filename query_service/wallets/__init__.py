"""The wallets context in the query service: a wallet, its balance at a moment and a merchant's
day (`routes`, the wallet also a plain read), and a wallet's statement (`lists`)."""

from query_service.manifest import QueryManifest
from query_service.wallets import lists, routes
from shared.wallets import MANIFEST as SHARED

MANIFEST = QueryManifest(
    shared=SHARED,
    routers=(routes.router, lists.router),
    plain_reads=routes.PLAIN_READS,
)
