"""What a context gives the projector: `ProjectorManifest`.

One per context, exported as `projector_service.projections.<context>.MANIFEST`: the
context's shared declarations (events, stream types, read models) and the projections
that write its read models. The projector's registry merges the manifests and refuses two
claims on one name.
"""

from __future__ import annotations

from dataclasses import dataclass

from projector_service.engine.projection import Projection
from shared.manifest import ContextManifest


@dataclass(frozen=True)
class ProjectorManifest:
    shared: ContextManifest
    """The context's events, stream types and read models."""
    projections: tuple[Projection, ...] = ()
    """Each writes one of the context's read models (its `collection` is the read model's name)."""

    @property
    def name(self) -> str:
        return self.shared.name
