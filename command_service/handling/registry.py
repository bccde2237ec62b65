"""The command service's registry: every context's manifest merged, each name claimed once.

Refused at start-up with both claimants named: two contexts claiming one event type,
stream type or read model (the shared catalogue), one command type, one route (method and
path), one handler dependency, or one process manager. Refused too: a route that declares no
access (`shared.auth.allow`): no command is open by omission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from command_service.handling.decisions import Command
from command_service.handling.dispatch import Handler
from command_service.handling.loading import AggregateType
from command_service.handling.manifest import CommandManifest
from shared.auth import declared_access
from shared.claims import Claims
from shared.contexts import CONTEXTS, catalog, manifest_of
from shared.events import EVENTS, EventRegistry
from shared.manifest import Catalog


class CommandRegistry:
    def __init__(self, manifests: Iterable[CommandManifest], events: EventRegistry | None = None) -> None:
        self.manifests = list(manifests)
        self.catalog = Catalog([m.shared for m in self.manifests], EVENTS if events is None else events)
        self.handlers: Claims[Handler] = Claims("command")
        self.routes: Claims[APIRoute] = Claims("route")
        self.process_managers: Claims[Any] = Claims("process manager")
        self.routers: list[APIRouter] = []
        for manifest in self.manifests:
            for command, handler in manifest.handlers.items():
                self.handlers.claim(command.__name__, manifest.name, handler)
            for router in manifest.routers:
                for route in router.routes:
                    if isinstance(route, APIRoute):
                        declared_access(manifest.name, route)
                        for method in sorted(route.methods or ()):
                            self.routes.claim(f"{method} {route.path}", manifest.name, route)
                self.routers.append(router)
            for spec in manifest.process_managers:
                self.process_managers.claim(spec.name, manifest.name, spec)
        self._commands = {
            command: handler for manifest in self.manifests for command, handler in manifest.handlers.items()
        }

    @property
    def commands(self) -> Mapping[type[Command], Handler]:
        return self._commands

    def settings(self) -> dict[str, Any]:
        """Each context's settings, read from the environment (once: call it from a composition root)."""
        return {manifest.name: manifest.settings() for manifest in self.manifests}

    def aggregates(self, settings: Mapping[str, Any]) -> list[AggregateType[Any]]:
        return [kind for m in self.manifests for kind in m.aggregates(settings[m.name])]

    def dependencies(self, settings: Mapping[str, Any], generic: Mapping[str, Any]) -> dict[str, Any]:
        """The generic dependencies plus every context's, each name claimed once."""
        claims: Claims[Any] = Claims("handler dependency")
        for name, value in generic.items():
            claims.claim(name, "the command service", value)
        for manifest in self.manifests:
            for name, value in manifest.dependencies(settings[manifest.name]).items():
                claims.claim(name, manifest.name, value)
        return dict(claims.items())


def default_registry() -> CommandRegistry:
    """The registry of `shared.contexts.CONTEXTS` (the shared catalogue is merged as well)."""
    catalog()
    return CommandRegistry(manifest_of(f"command_service.{name}") for name in CONTEXTS)
