"""Loading aggregates: the cached state plus later events, the latest valid snapshot plus
later events, or the state as of a version or a point in time (temporal query).

Each context declares its aggregate types (`AggregateType`, with its snapshot policy) in
its manifest; the composition root gives them to one `Loader` per store, and handlers ask
for it by name (`load`).

Snapshots are per aggregate type, taken every `snapshot_every` events (when a
load had to fold that many events past the last snapshot), and stored with the
aggregate type's `schema_version`. Bump the schema version when the state's
shape or meaning changes: older snapshots are then ignored, never trusted, and
the state is rebuilt from events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from command_service.event_store import EventStore, Snapshot
from command_service.handling.cache import cached, entries_of, remember
from shared.events import DomainEvent, parse_event

log = logging.getLogger(__name__)
S = TypeVar("S")

_unread: ContextVar[list[tuple[str, int]] | None] = ContextVar("unread_cache_hits", default=None)


@contextmanager
def trusting() -> Iterator[list[tuple[str, int]]]:
    """Inside: a load whose stream is in this process's cache answers the cached state without
    reading the stream (no round trip), and is listed here as (stream id, version). The decision
    stands only if the append verifies each of them, i.e. appends to that stream at that
    version; the dispatcher checks it and decides again on read state otherwise."""
    served: list[tuple[str, int]] = []
    token = _unread.set(served)
    try:
        yield served
    finally:
        _unread.reset(token)


@dataclass(frozen=True)
class AggregateType(Generic[S]):
    """An aggregate's state type and fold. Bump `schema_version` when the state changes shape:
    older snapshots are then ignored."""

    stream_type: str
    state_type: type[S]
    evolve: Callable[[S, DomainEvent], S]
    schema_version: int = 1
    snapshot_every: int = 0
    """0: never snapshot this type."""
    _adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_adapter", TypeAdapter(self.state_type))

    def dump(self, state: S) -> dict[str, Any]:
        dumped: dict[str, Any] = self._adapter.dump_python(state, mode="json")
        return dumped

    def restore(self, data: dict[str, Any]) -> S:
        restored: S = self._adapter.validate_python(data)
        return restored


async def load(
    store: EventStore,
    kind: AggregateType[S],
    stream_id: str,
    initial: S,
    *,
    to_version: int | None = None,
    as_of: datetime | None = None,
) -> tuple[S, int]:
    """(state, version) now, at `to_version`, or as recorded at `as_of`."""
    state, version = initial, 0
    snapshot = None
    if kind.snapshot_every:
        snapshot = await store.latest_snapshot(stream_id, max_version=to_version, as_of=as_of)
        if snapshot is not None and snapshot.schema_version == kind.schema_version:
            state, version = kind.restore(snapshot.state), snapshot.version
        elif snapshot is not None:
            log.info(
                "ignoring stale snapshot of %s (schema v%s, now v%s)",
                stream_id,
                snapshot.schema_version,
                kind.schema_version,
            )
    folded = 0
    for stored in await store.read_stream(stream_id, version + 1, to_version=to_version, as_of=as_of):
        state = kind.evolve(state, parse_event(stored.event_type, stored.schema_version, stored.data))
        version = stored.version
        folded += 1
    if kind.snapshot_every and as_of is None and to_version is None and folded >= kind.snapshot_every:
        await _save(store, Snapshot(stream_id, kind.stream_type, version, kind.schema_version, kind.dump(state)))
    return state, version


async def _save(store: EventStore, snapshot: Snapshot) -> None:
    # A snapshot is an optimisation: failing to write one must not fail the command.
    try:
        await store.save_snapshot(snapshot)
    except Exception:
        log.exception("could not save the snapshot of %s at v%s", snapshot.stream_id, snapshot.version)


class Loader:
    """`await load(stream_id, initial, evolve)`: the aggregate's state and version — the cached
    state plus the events appended since; on a cold start, the latest valid snapshot of its
    type (when the type snapshots) plus the events after it."""

    def __init__(self, store: EventStore, aggregates: Iterable[AggregateType[Any]] = ()) -> None:
        self.store = store
        self._kinds: dict[Callable[..., Any], AggregateType[Any]] = {kind.evolve: kind for kind in aggregates}

    def kind(self, evolve: Callable[..., Any]) -> AggregateType[Any] | None:
        return self._kinds.get(evolve)

    async def appended(self, stream_id: str, version: int, count: int) -> None:
        """This process appended `count` events to the stream, the last at `version`, and its cache
        folded them: snapshot each cached state whose type snapshots when the append crossed a
        multiple of its interval. A hot aggregate is decided on its cached state and never loaded
        from the store, so loads alone would never write its snapshot, and a restart (or a past
        state at a version) would fold its whole stream."""
        await self.save(self.snapshots_due(stream_id, version, count))

    async def save(self, snapshots: list[Snapshot]) -> None:
        for snapshot in snapshots:
            await _save(self.store, snapshot)

    def snapshots_due(self, stream_id: str, version: int, count: int) -> list[Snapshot]:
        """The snapshots `appended` would save (none for most appends: checked without awaiting)."""
        due = []
        for evolve, state, at in entries_of(self.store, stream_id):
            kind = self._kinds.get(evolve)
            every = kind.snapshot_every if kind is not None else 0
            if kind is None or not every or at != version or version // every == (version - count) // every:
                continue
            due.append(Snapshot(stream_id, kind.stream_type, version, kind.schema_version, kind.dump(state)))
        return due

    async def __call__(self, stream_id: str, initial: S, evolve: Callable[[S, DomainEvent], S]) -> tuple[S, int]:
        store = self.store
        hit = cached(store, stream_id, evolve)
        if hit is not None and (served := _unread.get()) is not None:
            served.append((stream_id, hit[1]))
            return hit
        if hit is None and (kind := self._kinds.get(evolve)) is not None and kind.snapshot_every:
            state, version = await load(store, kind, stream_id, initial)
            if version:
                remember(store, stream_id, evolve, state, version)
            return state, version
        state, version = hit or (initial, 0)
        newer = await store.read_stream(stream_id, from_version=version + 1)
        for stored in newer:
            state = evolve(state, parse_event(stored.event_type, stored.schema_version, stored.data))
            version = stored.version
        if newer:
            remember(store, stream_id, evolve, state, version)
        return state, version

    async def settled(self, stream_id: str, initial: S, evolve: Callable[[S, DomainEvent], S]) -> tuple[S, int]:
        """A stream read for a fact that never changes once it exists (a registration, a claim:
        `evolve` folds only the event that made it). A cached state answers at once and is not
        listed for the append to verify (see `trusting`): no later event can change it, so a
        decision on it needs no second look. The version is the one it was cached at, not
        necessarily the stream's head: never append at it. A stream not cached is loaded."""
        hit = cached(self.store, stream_id, evolve)
        if hit is not None and hit[1] > 0:
            return hit
        return await self(stream_id, initial, evolve)
