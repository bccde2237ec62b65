"""Event types by name, their contexts, and upcasting from stored schema versions.

`EVENTS` is the process-wide registry: it fills itself from `shared.contexts.CONTEXTS` on
first use, and a test may add a context of its own (`EVENTS.add`). Event type names are
unique across contexts (a second claim is refused with both claimants named), so a stored
row's `event_type` alone says what it is; the CloudEvents `type` adds the context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shared.claims import Claims
from shared.events.base import DomainEvent

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
CE_TYPE_PREFIX = "in.bahi."


class UnknownEventError(ValueError):
    """An event type or schema version this code cannot read."""


class EventRegistry:
    def __init__(self) -> None:
        self._models: Claims[type[DomainEvent]] = Claims("event type")
        # (event type, from schema version) -> function giving the payload of version + 1.
        self.upcasters: dict[tuple[str, int], Upcaster] = {}
        self._ce_types: dict[str, str] = {}

    def add(
        self, context: str, models: Iterable[type[DomainEvent]], upcasters: Mapping[tuple[str, int], Upcaster] = {}
    ) -> None:
        for model in models:
            self._models.claim(model.__name__, context, model)
            self._ce_types[model.__name__] = f"{CE_TYPE_PREFIX}{context}.{model.__name__}"
        self.upcasters.update(upcasters)

    @property
    def models(self) -> dict[str, type[DomainEvent]]:
        return dict(self._models.items())

    def context_of(self, event_type: str) -> str:
        return self._models.owner(event_type)

    def ce_type(self, event_type: str) -> str:
        """The CloudEvents `type`: `in.bahi.<context>.<event type>` (an unregistered type keeps
        the bare `in.bahi.<event type>`, as records published before contexts had)."""
        known = self._ce_types.get(event_type)
        return known if known is not None else CE_TYPE_PREFIX + event_type

    def current_schema_version(self, event_type: str) -> int:
        model = self._models.get(event_type)
        if model is None:
            raise UnknownEventError(f"unknown event type {event_type!r}")
        return model.schema_version

    def upcast(self, event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        """The payload of `data` (stored at `schema_version`) in the current schema."""
        target = self.current_schema_version(event_type)
        if schema_version > target:
            raise UnknownEventError(f"{event_type} v{schema_version} is newer than this code (v{target})")
        while schema_version < target:
            step = self.upcasters.get((event_type, schema_version))
            if step is None:
                raise UnknownEventError(f"no upcaster for {event_type} v{schema_version}")
            data = step(data)
            schema_version += 1
        return data

    def parse(self, event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
        model = self._models.get(event_type)
        if model is None:
            raise UnknownEventError(f"unknown event type {event_type!r}")
        return model.model_validate(self.upcast(event_type, schema_version, data))


class _DefaultRegistry(EventRegistry):
    """The process-wide registry: loads the contexts' events the first time it is read."""

    def __init__(self) -> None:
        super().__init__()
        self._loaded = False

    def _ensure(self) -> None:
        if not self._loaded:
            self._loaded = True  # first, so the catalogue's own `add` calls do not come back here
            from shared.contexts import catalog  # here, not at import: contexts import this module

            try:
                catalog()
            except BaseException:
                self._loaded = False  # the next reader tries again (and sees the same error)
                raise

    @property
    def models(self) -> dict[str, type[DomainEvent]]:
        self._ensure()
        return super().models

    def context_of(self, event_type: str) -> str:
        self._ensure()
        return super().context_of(event_type)

    def ce_type(self, event_type: str) -> str:
        self._ensure()
        return super().ce_type(event_type)

    def current_schema_version(self, event_type: str) -> int:
        self._ensure()
        return super().current_schema_version(event_type)

    def parse(self, event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
        self._ensure()
        return super().parse(event_type, schema_version, data)


EVENTS: EventRegistry = _DefaultRegistry()


def current_schema_version(event_type: str) -> int:
    return EVENTS.current_schema_version(event_type)


def upcast(event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    return EVENTS.upcast(event_type, schema_version, data)


def parse_event(event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
    return EVENTS.parse(event_type, schema_version, data)
