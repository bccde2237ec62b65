"""The five risk and compliance projections as the engine applies them (`engine.apply.step`):
the same documents whatever the interleaving of streams (as topics and partitions interleave on a
replay), a redelivery changes nothing, and a subject's document is the fold of its stream."""

from __future__ import annotations

import random
from typing import Any

from projector_service.engine.apply import step
from projector_service.engine.projection import Projection
from projector_service.projections import compliance, risk
from shared.envelope import EventEnvelope
from tests.support.risk import RiskWorld, api, subject_fold
from tests.support.risk_scenario import Generator, run

PROJECTIONS: list[Projection] = [*risk.MANIFEST.projections, *compliance.MANIFEST.projections]


def project(projection: Projection, events: list[EventEnvelope]) -> dict[str, Any]:
    docs: dict[str, Any] = {}
    for env in events:
        if env.stream_type not in projection.stream_types or (doc_id := projection.doc_id(env)) is None:
            continue
        new = step(projection, docs.get(doc_id), env)
        if new is not None:
            docs[doc_id] = new
    return docs


def interleaved(events: list[EventEnvelope], rng: random.Random) -> list[EventEnvelope]:
    """Another order of the same events in which each stream keeps its own order."""
    by_stream: dict[str, list[EventEnvelope]] = {}
    for env in events:
        by_stream.setdefault(env.stream_id, []).append(env)
    queues = [list(reversed(q)) for q in by_stream.values()]
    out = []
    while queues:
        queue = rng.choice(queues)
        out.append(queue.pop())
        if not queue:
            queues.remove(queue)
    return out


async def month() -> tuple[RiskWorld, list[EventEnvelope], Any]:
    world = RiskWorld()
    async with api(world) as client:
        scenario = await Generator(seed=7, ordinary=6, wallets=2).setup(client, world.clock)
        await run(client, world.clock, scenario)
        burst = scenario.planted["burst"].account_id
        alert = (await subject_fold(world.store, burst, burst))["alerts"][0]["alert_id"]
        review = {"decision": "ESCALATED", "note": "n"}
        escalated = await client.post(f"/v1/risk/alerts/{alert}/review", json=review)
        assert escalated.status_code == 200, escalated.text
        str_filed = await client.post(f"/v1/compliance/str/{alert}/filed", json={"reference": "STR-9"})
        assert str_filed.status_code == 200, str_filed.text
        world.clock.advance(days=40)
        filed = await client.post("/v1/compliance/ctr/2026-11/filed", json={"reference": "FIU-9"})
        assert filed.status_code == 200, filed.text
    return world, await world.store.read_all(0, 1_000_000), scenario


async def test_any_interleaving_and_any_redelivery_give_the_same_documents() -> None:
    _, events, _ = await month()
    rng = random.Random(3)
    for projection in PROJECTIONS:
        once = project(projection, events)
        assert once, projection.name
        assert project(projection, interleaved(events, rng)) == once, projection.name
        redelivered = events[: len(events) // 2] + events  # a crash before the offsets were committed
        assert project(projection, redelivered) == once, projection.name


async def test_a_subject_document_is_the_fold_of_its_stream() -> None:
    world, events, scenario = await month()
    docs = project(risk.MANIFEST.projections[0], events)
    for holder in scenario.all_holders():
        expected = await subject_fold(world.store, holder.account_id, holder.account_id)
        got = {k: v for k, v in docs[holder.account_id].items() if k not in ("version", "position")}
        assert got == expected
    assert {d["_id"] for d in docs.values() if d["alert_count"]} == set(scenario.alerted_roles())
    (case,) = project(compliance.MANIFEST.projections[1], events).values()
    assert case["status"] == "FILED" and case["filing"]["reference"] == "STR-9" and case["linked_transactions"]


def test_event_types_they_do_not_read_are_not_even_parsed() -> None:
    """A new event type on a stream they read (the upi context adds some) is passed by: no doc id."""
    base = {
        "event_id": "00000000-0000-0000-0000-000000000001",
        "version": 9,
        "position": 99,
        "schema_version": 1,
        "data": {"anything": "at all"},
        "metadata": {},
        "recorded_at": "2026-11-02T05:00:00Z",
    }
    streams = {"bank_account": "acc-" + "a" * 32, "wallet": "wal-" + "b" * 32, "upi_vpa": "upi-vpa-x@bahi"}
    for stream_type, stream_id in streams.items():
        env = EventEnvelope.model_validate(
            {**base, "stream_id": stream_id, "stream_type": stream_type, "event_type": "UpiSomethingNew"}
        )
        assert all(p.doc_id(env) is None for p in PROJECTIONS if stream_type in p.stream_types)
