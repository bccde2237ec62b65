"""The dead-letter topic `<prefix>.dlq`: every parked record, published as it came
(key, value and original headers: still a CloudEvent) plus `bahi_dlq_*` headers
naming the projection, the collection, why it was parked and where it came from.

The topic is for people and tools watching failures; the parking lot in MongoDB
is what the projector holds streams with. Publishing is at least once (a crash
after publishing and before committing publishes again), keyed by stream, so a
stream's dead letters stay in order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from projector_service.dead_letters.parking import Entry
from shared.kafka_admin import described

PREFIX = "bahi_dlq_"


def dead_letter_headers(entry: Entry, *, projection: str, collection: str) -> list[tuple[str, bytes]]:
    item = entry.item
    extra = {
        "projection": projection,
        "collection": collection,
        "status": entry.status,
        "error": entry.error or "",
        "held_behind": entry.behind or "",
        "topic": item.coords.topic,
        "partition": str(item.coords.partition),
        "offset": str(item.coords.offset),
        "timestamp_ms": str(item.timestamp_ms),
        "stream_id": item.stream_id or "",
    }
    return [*item.headers, *((PREFIX + name, value.encode()) for name, value in extra.items())]


class DeadLetters:
    """Publishes parked records; without a bootstrap (a unit test, an in-process check) it publishes nothing."""

    def __init__(self, bootstrap: str | None, topic: str) -> None:
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None
        self.topic = topic

    async def start(self) -> None:
        if self._bootstrap is not None:  # aiokafka clients must be created inside the running loop
            self._producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True, linger_ms=5
            )
            await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, entries: Sequence[Entry], *, projection: str, collection: str) -> None:
        if self._bootstrap is None or not entries:
            return
        assert self._producer is not None, "start() first"
        futures = [
            await self._producer.send(
                self.topic,
                key=entry.item.key,
                value=entry.item.value,
                headers=dead_letter_headers(entry, projection=projection, collection=collection),
            )
            for entry in entries
        ]
        await asyncio.gather(*futures)  # acknowledged before the batch's offsets are committed


async def ensure_dlq_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if topic not in await described(admin, [topic]):
            new = NewTopic(topic, num_partitions=partitions, replication_factor=1, topic_configs={"retention.ms": "-1"})
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent projector made it
                await admin.create_topics([new])
    finally:
        await admin.close()
