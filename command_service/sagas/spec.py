"""What a process manager is to its runner: a name (its consumer group and its metrics),
the stream types it reacts to, and how to build it once the runner has its resources."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from command_service.event_store import EventStore
from command_service.handling import Clock, Dispatcher
from shared.envelope import EventEnvelope


class ProcessManager(Protocol):
    async def handle(self, env: EventEnvelope) -> None:
        """React to one event (redeliveries and any order across streams are harmless)."""

    async def tick(self) -> int:
        """Act on what is due (a deadline passed); returns how many were settled."""

    async def status(self) -> dict[str, object]: ...

    @property
    def max_tick_seconds(self) -> float:
        """The longest the runner may wait between ticks."""


@dataclass(frozen=True)
class Resources:
    """What a process manager is built from: the runner's pool, store, clock and dispatcher,
    and its context's settings."""

    pool: asyncpg.Pool
    store: EventStore
    clock: Clock
    dispatch: Dispatcher
    settings: Any


@dataclass(frozen=True)
class ProcessManagerSpec:
    name: str
    stream_types: tuple[str, ...]
    build: Callable[[Resources], Awaitable[ProcessManager]]
