"""The compliance context (FIU-IND reports under the PML Rules: the monthly cash transaction
report and suspicious transaction report cases), as every service sees it: its events (an STR
case opened, a CTR filed), stream types, dated policy table and holidays, deadlines, read models
and scopes."""

from shared.compliance.events import EVENT_TYPES, UPCASTERS
from shared.compliance.read_models import READ_MODELS
from shared.compliance.streams import CTR_FILING, STR_CASE
from shared.manifest import ContextManifest

MANIFEST = ContextManifest(
    name="compliance",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(STR_CASE, CTR_FILING),
    read_models=READ_MODELS,
)
