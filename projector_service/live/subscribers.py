"""FastStream subscribers: one consumer group per projection, batches, offsets
committed only after the batch was written and its poison parked. A batch that
fails (MongoDB or Kafka unreachable) is not committed: after a capped exponential
backoff FastStream seeks back and it comes again (redelivery is harmless). With
tracing on, a batch's apply is a span in the trace of each command it has events of."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import ConsumerRebalanceListener
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry.trace import SpanKind, Tracer

from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine.backoff import Backoff
from projector_service.engine.batch import BatchProcessor
from projector_service.engine.records import Incoming, SharedDecoder
from projector_service.live import metrics
from projector_service.settings import Settings
from shared import tracing
from shared.streams import topic_for

log = logging.getLogger(__name__)


class _Headerless:
    """What FastStream's batch parser reads of a record (it builds its own metadata from them),
    without the headers it would decode: cheaper than a copy of the record."""

    __slots__ = ("headers", "offset", "timestamp", "topic", "value")

    def __init__(self, record: Any) -> None:
        self.topic, self.offset, self.timestamp, self.value = (
            record.topic,
            record.offset,
            record.timestamp,
            record.value,
        )
        self.headers = ()


async def keep_raw_records(records: tuple[Any, ...], original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's batch parser decodes every header as UTF-8: one record whose headers
    are not would fail the whole batch, again and again. It gets header-less stand-ins;
    the handler reads the records as they came."""
    message = await original(tuple(_Headerless(record) for record in records))
    message.raw_message = records
    return message


async def no_body(message: Any) -> None:
    """The handler decodes the records itself; FastStream's JSON decoding would only fail on poison."""
    return None


class LookAgainAtParked(ConsumerRebalanceListener):  # type: ignore[misc]
    """Partitions moved: streams another process parked may be ours now (`ParkingLot.empty_for`)."""

    def __init__(self, lot: ParkingLot) -> None:
        self._lot = lot

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._lot.forget_empty()


def _apply_spans(tracer: Tracer, items: list[Incoming], attributes: dict[str, str]) -> tracing.BatchSpans:
    """A span per trace and topic of the batch's events, around the batch's apply, each a child
    of the span of the command that stored them (the events' traceparent)."""
    traces: dict[tuple[str, str], int] = {}
    for item in items:
        traceparent = item.env.metadata.traceparent if item.env is not None else None
        if traceparent:
            where = (traceparent, item.coords.topic)
            traces[where] = traces.get(where, 0) + 1
    return tracing.batch_spans(tracer, "process", traces, kind=SpanKind.CONSUMER, attributes=attributes)


def register(broker: KafkaBroker, processor: BatchProcessor, settings: Settings, decode: SharedDecoder) -> None:
    """`decode` is one per process: a record read by several projections is decoded once."""
    projection = processor.projection
    backoff = Backoff(settings.retry_backoff_max_seconds)
    group = f"{settings.group_prefix}.{projection.name}"
    traced = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.consumer.group.name": group,
        "bahi.projection": projection.name,
    }

    @broker.subscriber(
        *[topic_for(stream_type, settings.topic_prefix) for stream_type in projection.stream_types],
        group_id=group,
        group_instance_id=settings.projector_instance_id,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        batch=True,
        max_records=settings.batch_max_records,
        # FastStream sleeps this long again after an empty poll: keep it short for fresh views.
        batch_timeout_ms=settings.batch_timeout_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        parser=keep_raw_records,
        decoder=no_body,
        title=f"project_{projection.name}",
        listener=LookAgainAtParked(processor.lot),
    )
    async def project(msg: KafkaMessage) -> None:
        items = [decode(record) for record in msg.raw_message]
        started = time.perf_counter()
        tracer = tracing.active_tracer()
        spans = tracing.NO_SPANS if tracer is None else _apply_spans(tracer, items, traced)
        try:
            report = await processor.process_live(items)
        except Exception as exc:
            spans.end(exc)
            metrics.BATCH_FAILURES.labels(projection.name).inc()
            log.exception("%s: batch of %d failed; it comes again after a backoff", projection.name, len(items))
            await backoff.wait()
            raise
        spans.end()
        backoff.reset()
        metrics.BATCH_SECONDS.labels(projection.name).observe(time.perf_counter() - started)
        now_ms, age = time.time() * 1000, metrics.APPLIED_AGE.labels(projection.name)
        for item in items:
            age.observe(max(0.0, now_ms - item.timestamp_ms) / 1000)
        metrics.EVENTS.labels(projection.name).inc(report.events)
        if report.parked:
            metrics.PARKED.labels(projection.name, "failed").inc(report.failed)
            metrics.PARKED.labels(projection.name, "held").inc(report.parked - report.failed)
            log.warning("%s: parked %d events (%d failed)", projection.name, report.parked, report.failed)
