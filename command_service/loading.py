"""Loading aggregates: latest valid snapshot + later events, or the state as of a
version or a point in time (temporal query).

Snapshots are per aggregate type, taken every `snapshot_every` events (when a
load had to fold that many events past the last snapshot), and stored with the
aggregate type's `schema_version`. Bump the schema version when the state's
shape or meaning changes: older snapshots are then ignored, never trusted, and
the state is rebuilt from events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from command_service.event_store import EventStore, Snapshot
from shared.events import DomainEvent, parse_event

log = logging.getLogger(__name__)
S = TypeVar("S")


@dataclass(frozen=True)
class AggregateType(Generic[S]):
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
    if kind.snapshot_every and as_of is None:
        snapshot = await store.latest_snapshot(stream_id, max_version=to_version)
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
