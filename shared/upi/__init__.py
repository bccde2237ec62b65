"""The upi context (VPAs linked to a bank account or a wallet, and UPI payments between them), as
every service sees it: its events, stream types (the VPA, the RRN claims), read models, value
types, its dated policy table and the ledger port (`ledger`) through which banking and wallets
move a payment's money."""

from shared.manifest import ContextManifest
from shared.upi.events import EVENT_TYPES, UPCASTERS
from shared.upi.read_models import READ_MODELS
from shared.upi.streams import COLLECT, RRN, VPA

MANIFEST = ContextManifest(
    name="upi",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(VPA, RRN, COLLECT),
    read_models=READ_MODELS,
)
