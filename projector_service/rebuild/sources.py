"""Where a rebuild reads history: the Kafka topics from the earliest offset under a
fresh consumer group (here), or the event store (`store_feed`).

A source reads forward and can `mark` the end of what exists now; a rebuild
drains it to a mark three times: to the end captured at the start (what the
progress bar measures), to the end after that (the gap), and once more after
the switch (the handover).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from projector_service.engine.records import Incoming, from_record
from shared.kafka_admin import topic_partitions


async def partitions(admin: AIOKafkaAdminClient, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics, from fresh metadata (a topic that does not exist has none)."""
    return await topic_partitions(admin, topics)


class Source(Protocol):
    kind: str
    group: str | None
    consumed: int

    async def start(self) -> int:
        """Open, mark the end as it is now, and return how many events lie before it."""
        ...

    async def read(self, max_records: int) -> list[Incoming]: ...

    async def mark(self) -> None: ...

    async def reached_mark(self) -> bool: ...

    async def commit(self, items: Sequence[Incoming]) -> None:
        """Record that `items` (and everything before them) are in the target."""
        ...

    async def stop(self) -> None: ...


class KafkaSource:
    """The projection's topics, every partition assigned to this one consumer; offsets are
    committed under the rebuild's own group, so `status` shows how far it got."""

    kind = "kafka"

    def __init__(self, bootstrap: str, topics: list[str], group: str) -> None:
        self.group: str | None = group
        self.consumed = 0
        self._bootstrap = bootstrap
        self._topics = topics
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        self._partitions: list[TopicPartition] = []
        self._end: dict[TopicPartition, int] = {}

    async def start(self) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            self._partitions = await partitions(admin, self._topics)
        finally:
            await admin.close()
        if not self._partitions:  # a wrong prefix must not switch the read model to an empty view
            raise LookupError(f"no partitions for {', '.join(self._topics)}: do the topics exist?")
        await self._consumer.start()
        self._consumer.assign(self._partitions)
        beginning = await self._consumer.beginning_offsets(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)
        await self.mark()
        return sum(self._end[tp] - beginning[tp] for tp in self._partitions)

    async def read(self, max_records: int) -> list[Incoming]:
        batch = await self._consumer.getmany(timeout_ms=200, max_records=max_records)
        records = [from_record(record) for part in batch.values() for record in part]
        self.consumed += len(records)
        return records

    async def mark(self) -> None:
        self._end = await self._consumer.end_offsets(self._partitions)

    async def reached_mark(self) -> bool:
        for tp in self._partitions:
            if await self._consumer.position(tp) < self._end[tp]:
                return False
        return True

    async def commit(self, items: Sequence[Incoming]) -> None:
        # Explicit offsets: the consumer's positions are already past the batch read ahead.
        offsets: dict[TopicPartition, int] = {}
        for item in items:
            tp = TopicPartition(item.coords.topic, item.coords.partition)
            offsets[tp] = max(offsets.get(tp, 0), item.coords.offset + 1)
        if offsets:
            await self._consumer.commit(offsets)

    async def stop(self) -> None:
        await self._consumer.stop()
