"""FastStream subscribers: one consumer group per projection, batches, offsets
committed only after the MongoDB write (a failed write seeks back: redelivery)."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter
from pymongo.asynchronous.database import AsyncDatabase

from projector_service.projections import Projection
from projector_service.runner import apply_batch
from shared.cloudevents import from_kafka
from shared.topics import topic_for

log = logging.getLogger(__name__)

APPLIED = Counter("bahi_projector_events_total", "Events consumed by a projection", ["projection"])


def register(
    broker: KafkaBroker,
    db: AsyncDatabase[Any],
    projection: Projection,
    *,
    prefix: str,
    group_prefix: str,
    max_records: int,
) -> None:
    topics = [topic_for(stream_type, prefix) for stream_type in projection.stream_types]
    collection = db[projection.collection]

    @broker.subscriber(
        *topics,
        group_id=f"{group_prefix}.{projection.name}",
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def project(_: list[bytes], msg: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[bytes, bytes], ...] = msg.raw_message
        events = [from_kafka(r.key, r.value, r.headers) for r in records]
        await apply_batch(collection, projection, events)
        APPLIED.labels(projection.name).inc(len(events))
