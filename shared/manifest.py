"""What a bounded context declares to every service (`ContextManifest`), and the catalogue that
merges the declarations of all contexts, refusing two claims on one name.

The shared part of a context is its events (with upcasters), its stream types and its read
models (collection names and the indexes their queries hint). Each service adds its own part
in a manifest of its own (command handlers, projections, views) that points at this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.claims import Claims
from shared.events.base import DomainEvent
from shared.events.registry import EventRegistry, Upcaster
from shared.streams import StreamType

IndexKeys = list[tuple[str, int]]


@dataclass(frozen=True)
class ReadModel:
    """A read model's contract between its writer (a projection) and its readers (views): the
    collection's base name and its indexes by name (readers hint them)."""

    name: str
    indexes: Mapping[str, IndexKeys] = field(default_factory=dict)


@dataclass(frozen=True)
class ContextManifest:
    name: str
    events: tuple[type[DomainEvent], ...] = ()
    upcasters: Mapping[tuple[str, int], Upcaster] = field(default_factory=dict)
    stream_types: tuple[StreamType, ...] = ()
    read_models: tuple[ReadModel, ...] = ()


class Catalog:
    """Every context's shared declarations, merged. Raises `DuplicateClaimError` naming both
    claimants when two contexts claim one event type, stream type or read model."""

    def __init__(self, manifests: Iterable[ContextManifest], events: EventRegistry | None = None) -> None:
        self.events = events if events is not None else EventRegistry()
        self.contexts: Claims[ContextManifest] = Claims("context")
        self.stream_types: Claims[StreamType] = Claims("stream type")
        self.read_models: Claims[ReadModel] = Claims("read model")
        for manifest in manifests:
            self.add(manifest)

    def add(self, manifest: ContextManifest) -> None:
        self.contexts.claim(manifest.name, manifest.name, manifest)
        self.events.add(manifest.name, manifest.events, manifest.upcasters)
        for stream_type in manifest.stream_types:
            self.stream_types.claim(stream_type.name, manifest.name, stream_type)
        for read_model in manifest.read_models:
            self.read_models.claim(read_model.name, manifest.name, read_model)

    def stream_type_of(self, stream_id: str) -> StreamType | None:
        """The stream type whose id prefix `stream_id` carries (None: no declared prefix fits)."""
        for stream_type in self.stream_types.values():
            if stream_type.owns(stream_id):
                return stream_type
        return None
