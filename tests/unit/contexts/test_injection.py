"""Handlers receive the typed command and ask for their dependencies by parameter name."""

from __future__ import annotations

import pytest

from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import (
    CommandRegistry,
    Decision,
    Dispatcher,
    Envelope,
    MissingDependencyError,
    inject,
)
from command_service.handling.loading import load
from command_service.settings import Settings
from shared.envelope import EventMetadata
from tests.support.commands import utc_now
from tests.support.demo import command as demo


async def test_a_handler_gets_the_command_and_what_it_names() -> None:
    seen: dict[str, object] = {}

    async def handler(cmd: demo.CountTally, *, target_id: str, metadata: EventMetadata, ceiling: int) -> Decision:
        seen.update(cmd=cmd, target_id=target_id, metadata=metadata, ceiling=ceiling)
        return Decision([])

    bound = inject(handler, {"ceiling": 7, "store": object()})
    env = Envelope(demo.CountTally(amount=3), target_id="t1", metadata=EventMetadata(actor="a"))
    await bound(env)
    assert seen == {"cmd": env.command, "target_id": "t1", "metadata": env.metadata, "ceiling": 7}


def test_a_handler_asking_for_what_nobody_provides_is_refused_when_the_dispatcher_is_built() -> None:
    async def handler(cmd: demo.CountTally, *, rates_table: object) -> Decision:
        raise AssertionError("never called")

    with pytest.raises(MissingDependencyError, match="asks for rates_table"):
        Dispatcher({demo.CountTally: handler}, store=InMemoryEventStore(), dependencies={"clock": utc_now})


async def test_the_demo_context_runs_through_the_composition_root_with_its_own_settings() -> None:
    from command_service.bootstrap import build_dispatcher

    registry = CommandRegistry([demo.MANIFEST])  # its events join the process-wide registry, as at start-up
    store = InMemoryEventStore()
    settings = {"demo": demo.DemoSettings(ceiling=5, snapshot_every=2)}
    dispatch = build_dispatcher(registry, store, utc_now, Settings(), settings)
    for _ in range(3):
        outcome = await dispatch(Envelope(demo.CountTally(amount=2), target_id="t1"))
    assert outcome.response == {"tally_id": "t1", "total": 5}  # the context's dependency (its ceiling)
    assert [e.data["total"] for e in await store.read_stream("tally-t1")] == [2, 4, 5]
    [kind] = registry.aggregates(settings)  # its snapshot policy, from its settings
    assert kind.snapshot_every == 2
    assert await load(store, kind, "tally-t1", demo.Tally()) == (demo.Tally(5), 3)
    # Written by the dispatcher as its append crossed the interval (the load above starts from it).
    assert (snapshot := await store.latest_snapshot("tally-t1")) is not None and snapshot.version == 2
