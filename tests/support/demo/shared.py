"""The demo context as every service sees it: its events, its stream type, its read model."""

from __future__ import annotations

from pydantic import Field

from shared.events import DomainEvent
from shared.manifest import ContextManifest, ReadModel
from shared.streams import StreamType

TALLY = StreamType("tally", id_prefix="tally-")
TALLY_VIEW = "tally_view"


class TallyCounted(DomainEvent):
    tally_id: str
    amount: int = Field(gt=0)
    total: int


MANIFEST = ContextManifest(
    name="demo",
    events=(TallyCounted,),
    stream_types=(TALLY,),
    read_models=(ReadModel(TALLY_VIEW, {"by_total": [("total", -1)]}),),
)
