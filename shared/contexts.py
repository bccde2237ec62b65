"""The bounded contexts of Bahi: the one list. A new context is a package named like it in
`shared/` and in each service, plus one line here.

Each `shared.<context>` package exports `MANIFEST` (a `ContextManifest`); each service
imports its own `<service>.<context>` package the same way, by name, so no generic module
imports a context.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from shared.events.registry import EVENTS
from shared.manifest import Catalog, ContextManifest

CONTEXTS: tuple[str, ...] = ("commerce", "wallets", "banking", "upi", "risk", "compliance")


def manifest_of(package: str) -> Any:
    """`package`'s `MANIFEST` (e.g. `command_service.commerce`)."""
    return importlib.import_module(package).MANIFEST


def shared_manifests(contexts: tuple[str, ...] = CONTEXTS) -> list[ContextManifest]:
    return [manifest_of(f"shared.{name}") for name in contexts]


@cache
def catalog() -> Catalog:
    """The merged shared declarations of `CONTEXTS`; its events are the process-wide registry
    (`shared.events.parse_event` reads them)."""
    return Catalog(shared_manifests(), EVENTS)
