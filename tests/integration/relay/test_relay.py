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
from shared.cloudevents import KafkaRecord, from_kafka, to_kafka
from shared.envelope import EventEnvelope, EventMetadata, NewEvent
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support.infra import Infra, unique
from tests.support.kafka import consume_until, header

pytestmark = pytest.mark.integration

SOURCE = b"/bahi/test"


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
        assert header(record, "ce_type") == "in.bahi.commerce.OrderPlaced"
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


def record_header(record: KafkaRecord, name: str) -> str:
    values = [value.decode() for key, value in record.headers if key == name]
    assert len(values) == 1, (name, record.headers)
    return values[0]


async def test_a_late_commit_is_not_skipped(infra: Infra, pg_pool: asyncpg.Pool) -> None:
    """A takes position p, B takes p+1 and commits first, A takes p+2 and commits later: the feed
    holds B back until A commits, then reads A's events before B's (transaction order, not position
    order), and its checkpoint never passes an event it has not returned."""
    conn_a = await asyncpg.connect(infra.pg_dsn)
    conn_b = await asyncpg.connect(infra.pg_dsn)
    reader = await asyncpg.connect(infra.pg_dsn)
    for conn in (conn_a, conn_b, reader):
        await init_connection(conn)
    try:
        feed = CommittedFeed(reader, unique("feed-"))
        start = Checkpoint()
        while (batch := await feed.next_records(start, 10_000, SOURCE)).records:
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
        # The committed feed holds B back while A's transaction runs, and its checkpoint stays put.
        held = await feed.next_records(start, 10_000, SOURCE)
        assert held.records == []
        assert held.end == start

        # A writes again, after B: A's transaction now holds positions on both sides of B's.
        result_a2 = await PostgresEventStore(conn_a).append([AppendStream(a, "order", 1, [event(3)])])
        assert result_a2.positions[a] > result_b.positions[b]
        assert (await feed.next_records(start, 10_000, SOURCE)).records == []
        await tx_a.commit()
        released = await feed.next_records(start, 10_000, SOURCE)
        assert [(stream_type, record.key.decode()) for stream_type, record in released.records] == [
            ("order", a),
            ("order", a),
            ("order", b),
        ]
        assert [int(record_header(record, "ce_position")) for _, record in released.records] == [
            result_a.positions[a],
            result_a2.positions[a],
            result_b.positions[b],
        ]
        assert [int(record_header(record, "ce_streamversion")) for _, record in released.records] == [1, 2, 1]
        # The checkpoint is the last record's (transaction id, position), and nothing follows it.
        tx_b = await reader.fetchval(
            "SELECT tx_id::text::bigint FROM bahi_events WHERE position = $1", result_b.positions[b]
        )
        assert released.end == Checkpoint(tx_b, result_b.positions[b])
        assert (await feed.next_records(released.end, 10_000, SOURCE)).records == []
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
        records: list[tuple[str, KafkaRecord]] = []
        after = Checkpoint()
        while (batch := await feed.next_records(after, 5000, SOURCE)).records:
            records += batch.records
            after = batch.end
        in_commit_order = await conn.fetch("SELECT event_id::text AS id FROM bahi_events ORDER BY tx_id, position")
    finally:
        await conn.close()
    assert [record_header(r, "ce_id") for _, r in records] == [row["id"] for row in in_commit_order]
    # Every stored event (all committed by now) once, each record matched to its envelope by id.
    envelopes: dict[str, EventEnvelope] = {}
    position = 0
    while page := await store.read_all(position, 5000):
        envelopes |= {str(e.event_id): e for e in page}
        position = page[-1].position
    assert len(records) == len(envelopes) >= 3
    assert {record_header(r, "ce_id") for _, r in records} == set(envelopes)
    for stream_type, record in records:
        envelope_ = envelopes[record_header(record, "ce_id")]
        assert stream_type == envelope_.stream_type
        expected = to_kafka(envelope_, SOURCE.decode())
        assert (record.key, record.headers) == (expected.key, expected.headers)
        assert orjson.loads(record.value) == orjson.loads(expected.value) == envelope_.data
    assert any(dict(r.headers)["ce_time"] == b"2026-01-01T00:00:00Z" for _, r in records)
