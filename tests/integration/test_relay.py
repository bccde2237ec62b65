"""The relay against the real PostgreSQL and Kafka: complete, ordered, CloudEvents."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import orjson
import pytest

from command_service.event_store import NO_STREAM, AppendStream
from command_service.event_store.postgres import PostgresEventStore, init_connection
from command_service.relay import CommittedFeed, Relay
from command_service.relay.feed import Checkpoint
from command_service.relay.publisher import Publisher, create_producer
from shared.cloudevents import from_kafka, to_kafka
from shared.envelope import EventMetadata, NewEvent
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.conftest import Infra, unique
from tests.kafka_helpers import consume_until, header

pytestmark = pytest.mark.integration


def event(n: int) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        event_type="OrderPlaced",
        schema_version=1,
        data={"n": n},
        metadata=EventMetadata(correlation_id=f"corr-{n}"),
    )


@pytest.fixture
async def relay(infra: Infra, pg_pool: asyncpg.Pool) -> AsyncIterator[Relay]:
    await ensure_topics(infra.kafka, infra.topic_prefix, 3)
    producer = create_producer(infra.kafka)
    await producer.start()
    relay = Relay(
        infra.pg_dsn,
        Publisher(producer, prefix=infra.topic_prefix, source="/bahi/test"),
        name=unique("relay-"),
        poll_seconds=0.2,
    )
    task = asyncio.create_task(relay.run())
    yield relay
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await producer.stop()


async def test_every_event_reaches_its_topic_keyed_by_stream_with_cloudevents_headers(
    infra: Infra, pg_pool: asyncpg.Pool, relay: Relay
) -> None:
    store = PostgresEventStore(pg_pool)
    streams = [unique("ord-") for _ in range(5)]
    for sid in streams:
        await store.append([AppendStream(sid, "order", NO_STREAM, [event(1), event(2), event(3)])])
    wanted = {e.event_id for sid in streams for e in await store.read_stream(sid)}

    records = await consume_until(
        infra.kafka,
        [topic_for("order", infra.topic_prefix)],
        lambda rs: wanted <= {from_kafka(r.key, r.value, r.headers).event_id for r in rs},
    )
    mine = [r for r in records if r.key is not None and r.key.decode() in streams]
    assert len(mine) == 15  # each exactly once
    for record in mine:
        assert header(record, "ce_specversion") == "1.0"
        assert header(record, "ce_subject") == record.key.decode()
        assert header(record, "content-type") == "application/json"
        assert header(record, "ce_type") == "in.bahi.OrderPlaced"
        for name in (
            "ce_id",
            "ce_source",
            "ce_time",
            "ce_streamversion",
            "ce_position",
            "ce_schemaversion",
            "ce_correlationid",
        ):
            assert header(record, name), name
    for sid in streams:
        versions = [int(header(r, "ce_streamversion") or 0) for r in mine if r.key.decode() == sid]
        assert versions == [1, 2, 3]
        assert len({r.partition for r in mine if r.key.decode() == sid}) == 1


async def test_a_late_commit_is_not_skipped(infra: Infra, pg_pool: asyncpg.Pool) -> None:
    """A takes position p, B takes p+1 and commits first, A commits later."""
    conn_a = await asyncpg.connect(infra.pg_dsn)
    conn_b = await asyncpg.connect(infra.pg_dsn)
    reader = await asyncpg.connect(infra.pg_dsn)
    for conn in (conn_a, conn_b, reader):
        await init_connection(conn)
    try:
        feed = CommittedFeed(reader, unique("feed-"))
        start = Checkpoint()
        while (batch := await feed.next_batch(start, 10_000)).events:
            start = batch.end  # skip what earlier tests committed

        a, b = unique("a-"), unique("b-")
        tx_a = conn_a.transaction()
        await tx_a.start()
        result_a = await PostgresEventStore(conn_a).append([AppendStream(a, "order", NO_STREAM, [event(1)])])
        async with conn_b.transaction():
            result_b = await PostgresEventStore(conn_b).append([AppendStream(b, "order", NO_STREAM, [event(2)])])
        assert result_a.positions[a] < result_b.positions[b]

        # The hazard is real: a reader by position alone now sees B and would move past A.
        naive = await reader.fetch(
            "SELECT position FROM bahi_events WHERE position > $1 ORDER BY position", start.position
        )
        assert [r["position"] for r in naive] == [result_b.positions[b]]
        # The committed feed holds B back while A's transaction runs.
        held = await feed.next_batch(start, 10_000)
        assert held.events == []

        await tx_a.commit()
        released = await feed.next_batch(start, 10_000)
        assert [e.stream_id for e in released.events] == [a, b]
    finally:
        for conn in (conn_a, conn_b, reader):
            await conn.close()


async def test_relay_checkpoint_survives_restart(infra: Infra, pg_pool: asyncpg.Pool, relay: Relay) -> None:
    store = PostgresEventStore(pg_pool)
    sid = unique("ord-")
    result = await store.append([AppendStream(sid, "order", NO_STREAM, [event(1)])])
    await consume_until(
        infra.kafka, [topic_for("order", infra.topic_prefix)], lambda rs: any(r.key == sid.encode() for r in rs)
    )
    # The checkpoint is saved after the broker's ack: wait for it to cover our event.
    reader = await asyncpg.connect(infra.pg_dsn)
    try:
        feed = CommittedFeed(reader, relay._name)
        for _ in range(200):
            if (await feed.checkpoint()).position >= result.positions[
                sid
            ] or relay.checkpoint.position >= result.positions[sid]:
                break
            await asyncio.sleep(0.05)
        saved = await feed.checkpoint()
        assert saved == relay.checkpoint
        assert saved.position >= result.positions[sid] or saved.tx_id > 0
    finally:
        await reader.close()


async def test_the_relay_hot_path_writes_exactly_what_to_kafka_writes(infra: Infra, pg_pool: asyncpg.Pool) -> None:
    """Records built straight from rows equal shared.cloudevents.to_kafka of the envelope: key and
    headers byte for byte, the value as JSON (PostgreSQL's text of the jsonb, not orjson's)."""
    store = PostgresEventStore(pg_pool)
    sid = unique("ord-")
    await store.append([AppendStream(sid, "order", NO_STREAM, [event(1), event(2)])])
    # A moment on a whole second: the CloudEvents time then has no fraction.
    await pg_pool.execute(
        """INSERT INTO bahi_events (event_id, stream_id, stream_type, version, event_type, schema_version, data,
                                    metadata, recorded_at)
           VALUES ($1, $2, 'order', 3, 'OrderPlaced', 1, $3, $4, '2026-01-01 00:00:00+00')""",
        uuid4(),
        sid,
        {"n": 3, "nested": {"b": [1, 2], "a": "₹"}},
        {"actor": "asha", "traceparent": "00-ab-cd-01"},
    )
    conn = await asyncpg.connect(infra.pg_dsn)
    await init_connection(conn)
    try:
        feed = CommittedFeed(conn, unique("feed-"))
        envelopes: list = []
        records: list = []
        after = Checkpoint()
        while (batch := await feed.next_batch(after, 5000)).events:
            envelopes += batch.events
            records += (await feed.next_records(after, 5000, b"/bahi/test")).records
            after = batch.end
    finally:
        await conn.close()
    assert len(records) == len(envelopes) >= 3
    for envelope_, (stream_type, record) in zip(envelopes, records, strict=True):
        assert stream_type == envelope_.stream_type
        expected = to_kafka(envelope_, "/bahi/test")
        assert (record.key, record.headers) == (expected.key, expected.headers)
        assert orjson.loads(record.value) == orjson.loads(expected.value) == envelope_.data
    assert any(dict(r.headers)["ce_time"] == b"2026-01-01T00:00:00Z" for _, r in records)
