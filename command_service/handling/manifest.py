"""What a context gives the command service: `CommandManifest`.

One per context, exported as `command_service.<context>.MANIFEST`. Everything is declared
here once: the command service's registry merges the manifests and refuses two claims on
one name (a command type, a route, a dependency, a process manager).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from pydantic_settings import BaseSettings

from command_service.handling.decisions import Command
from command_service.handling.dispatch import Handler
from command_service.handling.loading import AggregateType
from shared.manifest import ContextManifest


class NoSettings(BaseSettings):
    """The settings of a context that has none."""


@dataclass(frozen=True)
class CommandManifest:
    shared: ContextManifest
    """The context's events, stream types and read models."""
    handlers: Mapping[type[Command], Handler] = field(default_factory=dict)
    routers: Sequence[APIRouter] = ()
    settings: type[BaseSettings] = NoSettings
    """Read once by the composition root (environment prefix `BAHI_`)."""
    aggregates: Callable[[Any], Sequence[AggregateType[Any]]] = lambda settings: ()
    """The context's aggregate types with their snapshot policy, given its settings."""
    dependencies: Callable[[Any], Mapping[str, Any]] = lambda settings: {}
    """What its handlers may ask for by name besides the generic ones, given its settings."""
    process_managers: Sequence[Any] = ()
    """`command_service.sagas.ProcessManagerSpec`s: run by `python -m command_service.sagas`."""

    @property
    def name(self) -> str:
        return self.shared.name
