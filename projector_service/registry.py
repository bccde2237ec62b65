"""The projector's registry: every context's projections merged, each name claimed once.

Refused at start-up with both claimants named: two contexts claiming one event type, stream
type or read model (the shared catalogue), two projections with one name, two projections
writing one collection. A projection whose collection is not a read model of the catalogue
is refused too: the read model is the contract its readers (the query service) rely on, and
its indexes are declared there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import IndexModel

from projector_service.engine.projection import Projection
from projector_service.manifest import ProjectorManifest
from projector_service.read_models.indexes import index_models
from shared.claims import Claims
from shared.contexts import CONTEXTS, catalog, manifest_of
from shared.events import EVENTS, EventRegistry
from shared.manifest import Catalog


class UndeclaredReadModelError(LookupError):
    """A projection writes a collection that no context declares as a read model."""


class ProjectorRegistry:
    def __init__(self, manifests: Iterable[ProjectorManifest], events: EventRegistry | None = None) -> None:
        self.manifests = list(manifests)
        self.catalog = Catalog([m.shared for m in self.manifests], EVENTS if events is None else events)
        names: Claims[Projection] = Claims("projection")
        collections: Claims[Projection] = Claims("collection")
        for manifest in self.manifests:
            for projection in manifest.projections:
                names.claim(projection.name, manifest.name, projection)
                # Claimed by projection, not by context: two projections of one context are refused too.
                collections.claim(projection.collection, f"{manifest.name}.{projection.name}", projection)
                if projection.collection not in self.catalog.read_models:
                    raise UndeclaredReadModelError(
                        f"projection {projection.name!r} of {manifest.name!r} writes {projection.collection!r}, "
                        f"which is not a declared read model (known: {', '.join(sorted(self.catalog.read_models))})"
                    )
        self._projections = dict(names.items())
        self._indexes = {
            name: index_models(model.indexes) for name, model in self.catalog.read_models.items() if model.indexes
        }

    @property
    def projections(self) -> Mapping[str, Projection]:
        """Every projection by name, in manifest order."""
        return self._projections

    @property
    def indexes(self) -> Mapping[str, list[IndexModel]]:
        """Per read model (collection base name) that declares indexes, its index models."""
        return self._indexes

    def indexes_for(self, projection: Projection) -> list[IndexModel]:
        return self._indexes.get(projection.collection, [])


def default_registry() -> ProjectorRegistry:
    """The registry of `shared.contexts.CONTEXTS` (the shared catalogue is merged as well)."""
    catalog()
    return ProjectorRegistry(manifest_of(f"projector_service.projections.{name}") for name in CONTEXTS)
