"""Side effects of projecting (the payment saga's commands, notifications) and the
replay flag that keeps them from firing while history is replayed.

A rebuild, a handover re-apply and anything else that re-reads old events runs
with `replaying()` true: projections and handlers can check it, and `fire` does
nothing. Live consumption fires the registered handlers with every event of a
batch that was not parked, after the views were written and before the offsets
are committed: at least once, so a handler must be idempotent (the event id is
its natural idempotency key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from shared.envelope import EventEnvelope

SideEffect = Callable[[Sequence[EventEnvelope]], Awaitable[None]]

# projection name -> handlers run after its live batches. Nothing registers one yet.
SIDE_EFFECTS: dict[str, list[SideEffect]] = {}

_REPLAYING: ContextVar[bool] = ContextVar("bahi_projector_replaying", default=False)


def replaying() -> bool:
    """True while old events are re-applied (a rebuild, a handover): fire nothing."""
    return _REPLAYING.get()


@contextmanager
def replay_mode(on: bool) -> Iterator[None]:
    token = _REPLAYING.set(on)
    try:
        yield
    finally:
        _REPLAYING.reset(token)


async def fire(projection: str, events: Sequence[EventEnvelope]) -> int:
    """Run the projection's side effects for live events; returns how many handlers ran."""
    if replaying() or not events:
        return 0
    handlers = SIDE_EFFECTS.get(projection, [])
    for handler in handlers:
        await handler(events)
    return len(handlers)
