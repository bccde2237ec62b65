"""Running commands in tests through the service's own composition (`bootstrap.build_dispatcher`)
with the default registry, a store of the test's choosing and, where asked, other context
settings (a return window, snapshot intervals)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from command_service.bootstrap import build_dispatcher
from command_service.commerce.settings import CommerceSettings
from command_service.event_store import EventStore
from command_service.handling import Dispatcher, Envelope, Loader, Outcome, default_registry
from command_service.settings import Settings
from shared.events import DomainEvent

Clock = Callable[[], datetime]

_DISPATCHERS: weakref.WeakKeyDictionary[EventStore, dict[tuple[Any, ...], Dispatcher]] = weakref.WeakKeyDictionary()


def utc_now() -> datetime:
    return datetime.now(UTC)


def commerce_settings(**overrides: Any) -> CommerceSettings:
    return CommerceSettings(**overrides)


def dispatcher(
    store: EventStore,
    clock: Clock = utc_now,
    *,
    return_window: timedelta | None = None,
    max_attempts: int = 5,
    **commerce: Any,
) -> Dispatcher:
    """One dispatcher per store and settings (so concurrent commands share its stream locks, as
    they do in the service)."""
    if return_window is not None:
        commerce["return_window_days"] = return_window / timedelta(days=1)
    key = (clock, max_attempts, tuple(sorted(commerce.items())))
    per_store = _DISPATCHERS.setdefault(store, {})
    if key not in per_store:
        registry = default_registry()
        context_settings = {**registry.settings(), "commerce": CommerceSettings(**commerce)}
        settings = Settings(max_conflict_retries=max_attempts)
        per_store[key] = build_dispatcher(registry, store, clock, settings, context_settings)
    return per_store[key]


async def dispatch(
    env: Envelope,
    *,
    store: EventStore,
    clock: Clock = utc_now,
    return_window: timedelta | None = None,
    max_attempts: int = 5,
) -> Outcome:
    return await dispatcher(store, clock, return_window=return_window, max_attempts=max_attempts)(env)


def loader(store: EventStore, **commerce: Any) -> Loader:
    """The aggregate loader the service gives handlers, with the commerce snapshot policies."""
    registry = default_registry()
    return Loader(store, registry.aggregates({**registry.settings(), "commerce": CommerceSettings(**commerce)}))


async def load(store: EventStore, stream_id: str, initial: Any, evolve: Callable[[Any, DomainEvent], Any]) -> Any:
    return await loader(store)(stream_id, initial, evolve)
