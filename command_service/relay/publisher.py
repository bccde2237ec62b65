"""Kafka side of the relay: an idempotent producer (acks=all) sending CloudEvents records."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from shared.cloudevents import to_kafka
from shared.envelope import EventEnvelope
from shared.topics import topic_for


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

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Send every event and return once the broker acknowledged all of them."""
        futures = []
        for event in events:
            record = to_kafka(event, self._source)
            futures.append(
                await self._producer.send(
                    topic_for(event.stream_type, self._prefix),
                    value=record.value,
                    key=record.key,
                    headers=record.headers,
                )
            )
        await asyncio.gather(*futures)
