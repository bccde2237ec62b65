"""The wallets context (a Paytm-style prepaid payment instrument under RBI's PPI rules), as every
service sees it: its events, stream types (the wallet, and the per-customer owner index), read
models, value types and its dated policy table."""

from shared.manifest import ContextManifest
from shared.wallets.events import EVENT_TYPES, UPCASTERS
from shared.wallets.read_models import READ_MODELS
from shared.wallets.streams import WALLET, WALLET_OWNER

MANIFEST = ContextManifest(
    name="wallets",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(WALLET, WALLET_OWNER),
    read_models=READ_MODELS,
)
