"""Kafka side of the relay: an idempotent producer (acks=all) sending CloudEvents records,
one record batch per partition (the default partitioner's choice: murmur2 of the key, so a
stream stays on its partition whichever path sent it).

What the batches buy: the relay hands the producer a few complete batches per relay batch
instead of one `send()` (a future, an accumulator lookup) per record: less of the relay
process's CPU per event goes to the producer. `python -m tests.bench.bench_relay`
re-measures the relay against a raw aiokafka producer sending the same records one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from opentelemetry.trace import SpanKind, Tracer

from shared import tracing
from shared.cloudevents import TRACEPARENT_HEADER, KafkaRecord, to_kafka
from shared.envelope import EventEnvelope
from shared.streams import topic_for

_SEND = {"messaging.system": "kafka", "messaging.operation.type": "send", "messaging.operation.name": "send"}


def create_producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=512 * 1024,
        max_request_size=8 * 1024 * 1024,
        request_timeout_ms=30000,
    )


class Publisher:
    def __init__(self, producer: AIOKafkaProducer, *, prefix: str, source: str) -> None:
        self._producer = producer
        self._prefix = prefix
        self._source = source
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}
        self._known: dict[tuple[str, bytes], int] = {}

    @property
    def source(self) -> bytes:
        return self._source.encode()

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Send every event and return once the broker acknowledged all of them."""
        await self.publish_records([(event.stream_type, to_kafka(event, self._source)) for event in events])

    async def publish_records(self, records: Sequence[tuple[str, KafkaRecord]]) -> None:
        """Send (stream type, record) pairs in order; return once the broker acknowledged all."""
        await (await self.enqueue(records))

    async def enqueue(self, records: Sequence[tuple[str, KafkaRecord]]) -> asyncio.Future[list[object]]:
        """Hand the records to the producer, in order; the result completes on the broker's acks.
        Call it again only after it returned: that keeps every partition in order."""
        tracer = tracing.active_tracer()
        if tracer is None:
            return await self._enqueue(records)
        spans = self._send_spans(tracer, records)
        try:
            acknowledged = await self._enqueue(records)
        except BaseException as exc:
            spans.end(exc)
            raise
        acknowledged.add_done_callback(spans.end_with)
        return acknowledged

    async def _enqueue(self, records: Sequence[tuple[str, KafkaRecord]]) -> asyncio.Future[list[object]]:
        builders: dict[tuple[str, int], BatchBuilder] = {}
        futures: list[asyncio.Future[object]] = []
        for stream_type, record in records:
            topic = topic_for(stream_type, self._prefix)
            where = (topic, await self._partition(topic, record.key))
            builder = builders.get(where)
            if builder is None:
                builder = builders[where] = self._producer.create_batch()
            if builder.append(key=record.key, value=record.value, timestamp=None, headers=record.headers) is None:
                futures.append(await self._send(builder, topic, where[1]))
                builder = builders[where] = self._producer.create_batch()
                if builder.append(key=record.key, value=record.value, timestamp=None, headers=record.headers) is None:
                    # larger than a whole batch: on its own (the producer enforces max_request_size)
                    futures.append(
                        await self._producer.send(topic, record.value, record.key, where[1], headers=record.headers)
                    )
        for (topic, partition), builder in builders.items():
            futures.append(await self._send(builder, topic, partition))
        return asyncio.gather(*futures)

    def _send_spans(self, tracer: Tracer, records: Sequence[tuple[str, KafkaRecord]]) -> tracing.BatchSpans:
        """A span per trace and topic of the batch, from handing its records to the producer to
        the broker's acknowledgement, a child of the span of the command that stored them."""
        traces: dict[tuple[str, str], int] = {}
        for stream_type, record in records:
            traceparent = _traceparent(record.headers)
            if traceparent is not None:
                where = (traceparent, topic_for(stream_type, self._prefix))
                traces[where] = traces.get(where, 0) + 1
        return tracing.batch_spans(tracer, "send", traces, kind=SpanKind.PRODUCER, attributes=_SEND)

    async def _send(self, builder: BatchBuilder, topic: str, partition: int) -> asyncio.Future[object]:
        # Closed: the batch is complete, so the producer sends it at once instead of holding
        # it `linger_ms` for records that will never come (5 ms on every relay batch).
        builder.close()
        future: asyncio.Future[object] = await self._producer.send_batch(builder, topic, partition=partition)
        return future

    async def _partition(self, topic: str, key: bytes) -> int:
        # murmur2 runs in pure Python, once per call: remember each stream's partition.
        known = self._known.get((topic, key))
        if known is not None:
            return known
        partitions = self._partitions.get(topic)
        if partitions is None:
            partitions = self._partitions[topic] = sorted(await self._producer.partitions_for(topic))
        if len(self._known) > 200_000:
            self._known.clear()
        partition = self._known[(topic, key)] = int(self._partitioner(key, partitions, partitions))
        return partition


def _traceparent(headers: list[tuple[str, bytes]]) -> str | None:
    for name, value in reversed(headers):  # the metadata's extensions come last
        if name == TRACEPARENT_HEADER:
            return value.decode()
    return None
