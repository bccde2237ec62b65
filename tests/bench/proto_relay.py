"""Prototypes (not the product) of the relay loop, one change at a time, each with the
product's checkpoint rule (saved only after the broker acknowledged the batch):

- direct: Kafka records straight from the committed-feed rows, byte for byte what
  shared.cloudevents.to_kafka makes of an EventEnvelope, without building one;
- send_batch: one BatchBuilder per partition (producer.create_batch / send_batch), the
  partition chosen as the default partitioner does (murmur2 of the key), instead of one
  producer.send() per record;
- window: the next batch read and published while this one awaits its acknowledgements;
- gc: proto_feed.gc_tuned() for the process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from command_service.event_store.postgres import init_connection
from command_service.relay.feed import Checkpoint, CommittedFeed
from shared.cloudevents import CONTENT_TYPE, SPEC_VERSION, TYPE_PREFIX, to_kafka
from shared.contexts import catalog
from shared.streams import topic_for
from tests.bench.common import KAFKA, Timer
from tests.bench.proto_feed import gc_tuned

PARTITIONS = 3
SOURCE = "/bahi/command-service"

Record = tuple[str, bytes, bytes, list[tuple[str, bytes]]]


@contextlib.asynccontextmanager
async def started(producer: AIOKafkaProducer) -> AsyncIterator[AIOKafkaProducer]:
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Proto:
    """One prototype of the relay loop: what changes against the product."""

    batch_size: int = 2000
    direct: bool = False
    """Kafka records straight from the rows: no EventEnvelope (no pydantic validation, no dict copies)."""
    send_batch: bool = False
    """One BatchBuilder per partition (producer.create_batch/send_batch) instead of send() per record."""
    window: int = 1
    """Batches published and awaiting acknowledgement at once (the product: 1). With 2, batch
    k+1 is read and published while batch k awaits its acks; checkpoints still in order."""
    gc: bool = False
    """gc_tuned() around the run (a process setting)."""
    linger_ms: int = 5


# ce_time as shared.cloudevents._iso writes it: microseconds only when not zero.
DIRECT_COLUMNS = """event_id::text AS event_id, stream_id, stream_type, version, position, event_type,
    schema_version, data, metadata, tx_id::text::bigint AS tx,
    to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_part('microseconds', recorded_at)::int % 1000000 = 0 THEN ''
            ELSE to_char(recorded_at AT TIME ZONE 'UTC', '.US') END || 'Z' AS ce_time"""
DIRECT = f"""SELECT {DIRECT_COLUMNS} FROM bahi_events
              WHERE (tx_id, position) > ($1::text::xid8, $2)
                AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY tx_id, position LIMIT $3"""
_EXTENSIONS = (
    ("correlation_id", "ce_correlationid"),
    ("causation_id", "ce_causationid"),
    ("command_id", "ce_commandid"),
    ("actor", "ce_actor"),
    ("traceparent", "ce_traceparent"),
)
_SPEC = SPEC_VERSION.encode()
_CONTENT = CONTENT_TYPE.encode()


def record_from_row(row: asyncpg.Record, source: bytes) -> tuple[str, bytes, bytes, list[tuple[str, bytes]]]:
    """shared.cloudevents.to_kafka's record, byte for byte, from a row of DIRECT: no
    EventEnvelope (no pydantic validation, no UUID/datetime objects, no dict copies)."""
    meta = row["metadata"]
    headers = [
        ("ce_specversion", _SPEC),
        ("ce_id", row["event_id"].encode()),
        ("ce_source", source),
        ("ce_type", (TYPE_PREFIX + row["event_type"]).encode()),
        ("ce_time", row["ce_time"].encode()),
        ("ce_subject", row["stream_id"].encode()),
        ("content-type", _CONTENT),
        ("ce_streamtype", row["stream_type"].encode()),
        ("ce_streamversion", str(row["version"]).encode()),
        ("ce_position", str(row["position"]).encode()),
        ("ce_schemaversion", str(row["schema_version"]).encode()),
    ]
    headers.extend((header, meta[name].encode()) for name, header in _EXTENSIONS if meta.get(name))
    return row["stream_type"], row["stream_id"].encode(), orjson.dumps(row["data"]), headers


class _Partitions:
    """The default partitioner's choice (murmur2 of the key), memoised per stream id."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._cache: dict[bytes, int] = {}

    def __call__(self, key: bytes) -> int:
        partition = self._cache.get(key)
        if partition is None:
            partition = (murmur2(key) & 0x7FFFFFFF) % self._count
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = partition
        return partition


async def proto_relay(dsn: str, prefix: str, last: int, proto: Proto) -> Timer:
    """The product's loop (read a committed batch, publish, await acks, save the checkpoint),
    with one or more of the Proto changes. Leadership, LISTEN and the lag metric are left out
    (they cost nothing per event while the relay is busy)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA,
        acks="all",
        enable_idempotence=True,
        linger_ms=proto.linger_ms,
        max_batch_size=512 * 1024,
        max_request_size=8 * 1024 * 1024,
        request_timeout_ms=30000,
    )
    source = SOURCE.encode()
    partitions = _Partitions(PARTITIONS)
    topics = {t: topic_for(t, prefix) for t in catalog().stream_types}
    async with started(producer):
        await producer.client._wait_on_metadata(topics["order"])
        with contextlib.ExitStack() as stack:
            if proto.gc:
                stack.enter_context(gc_tuned())
            with Timer() as t:
                conn = await asyncpg.connect(dsn)
                await init_connection(conn)
                feed = CommittedFeed(conn, prefix)

                async def read(
                    after: Checkpoint,
                ) -> tuple[list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]], Checkpoint]:
                    if proto.direct:
                        rows = await conn.fetch(DIRECT, str(after.tx_id), after.position, proto.batch_size)
                        if not rows:
                            return [], after
                        return [record_from_row(r, source) for r in rows], Checkpoint(
                            rows[-1]["tx"], rows[-1]["position"]
                        )
                    batch = await feed.next_batch(after, proto.batch_size)
                    out = []
                    for event in batch.events:
                        record = to_kafka(event, SOURCE)
                        out.append((event.stream_type, record.key, record.value, record.headers))
                    return out, batch.end

                async def publish(
                    records: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]],
                ) -> Awaitable[object]:
                    """Hand the records to the producer; returns what completes on the broker's ack."""
                    if not proto.send_batch:
                        futures = [
                            await producer.send(topics[st], value=value, key=key, headers=headers)
                            for st, key, value, headers in records
                        ]
                        return asyncio.gather(*futures)
                    builders: dict[tuple[str, int], object] = {}
                    futures = []
                    for st, key, value, headers in records:
                        where = (topics[st], partitions(key))
                        builder = builders.get(where)
                        if builder is None:
                            builder = builders[where] = producer.create_batch()
                        if builder.append(key=key, value=value, timestamp=None, headers=headers) is None:
                            futures.append(await producer.send_batch(builder, where[0], partition=where[1]))
                            builder = builders[where] = producer.create_batch()
                            builder.append(key=key, value=value, timestamp=None, headers=headers)
                    for (topic, partition), builder in builders.items():
                        futures.append(await producer.send_batch(builder, topic, partition=partition))
                    return asyncio.gather(*futures)

                # Up to `window` published batches await their acknowledgements at once; the
                # checkpoint still advances in order, each step only once its batch is acknowledged.
                checkpoint = after = Checkpoint()
                inflight: deque[tuple[Awaitable[object], Checkpoint]] = deque()
                while checkpoint.position < last:
                    records, end = await read(after)
                    if records:
                        inflight.append((await publish(records), end))
                        after = end
                    while inflight and (len(inflight) >= proto.window or not records):
                        acked, done = inflight.popleft()
                        await acked
                        await feed.save(done)
                        checkpoint = done
                await conn.close()
    assert checkpoint.position >= last
    return t
