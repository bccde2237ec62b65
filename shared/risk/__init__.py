"""The risk context (fraud alerts over the money events of banking, wallets and upi), as every
service sees it: its rules (pure, `rules`), the subject's fold they run in (`subjects`), its dated
policy table, its one event (an analyst's review) and stream type, its read models and scopes."""

from shared.manifest import ContextManifest
from shared.risk.events import EVENT_TYPES, UPCASTERS
from shared.risk.read_models import READ_MODELS
from shared.risk.streams import REVIEW

MANIFEST = ContextManifest(
    name="risk",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(REVIEW,),
    read_models=READ_MODELS,
)
