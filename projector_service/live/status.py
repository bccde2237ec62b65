"""Where every projection stands: per partition the committed offset of its live
consumer group, the end offset, the lag in events and in seconds (the age of the
oldest event not applied yet), plus parked events, rebuilds in progress and
abandoned rebuilds (recorded as running, no heartbeat: their process died).

The `status` command prints it; the running projector exports it as Prometheus
gauges. Both read the group's committed offsets from Kafka, so every projector
replica reports the whole group (aggregate with `max by (projection, partition)`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo.asynchronous.database import AsyncDatabase

from projector_service.dead_letters.parking import ParkingLot
from projector_service.engine.projection import Projection
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import ledger
from projector_service.rebuild.sources import partitions
from shared.streams import topic_for

_PEEK_SECONDS = 2.0


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int
    lag_seconds: float


@dataclass
class ProjectionStatus:
    projection: str
    group: str
    collection: str
    partitions: list[PartitionLag] = field(default_factory=list)
    parked: int = 0
    rebuilds: list[dict[str, Any]] = field(default_factory=list)
    abandoned: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lag(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def lag_seconds(self) -> float:
        return max((p.lag_seconds for p in self.partitions), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        """For `status --json`: every field, and the totals over the partitions."""
        return {**asdict(self), "lag": self.lag, "lag_seconds": self.lag_seconds}


class StatusCollector:
    def __init__(
        self,
        bootstrap: str,
        prefix: str,
        group_prefix: str,
        db: AsyncDatabase[Any],
        *,
        stale_after: timedelta = ledger.STALE_AFTER,
    ) -> None:
        self._prefix, self._group_prefix, self._db = prefix, group_prefix, db
        self._stale_after = stale_after
        self._lot = ParkingLot(db)
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)

    async def start(self) -> None:
        await self._admin.start()
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def collect(self, projections: Iterable[Projection]) -> list[ProjectionStatus]:
        statuses: list[ProjectionStatus] = []
        for projection in projections:
            group = f"{self._group_prefix}.{projection.name}"
            collection = await live_collection(self._db, projection.collection)
            status = ProjectionStatus(projection.name, group, collection)
            status.partitions = await self._lags(group, [topic_for(t, self._prefix) for t in projection.stream_types])
            status.parked = await self._lot.count(collection)
            status.rebuilds = await ledger.running(self._db, projection.name, stale_after=self._stale_after)
            status.abandoned = await ledger.abandoned(self._db, projection.name, stale_after=self._stale_after)
            statuses.append(status)
        return statuses

    async def _lags(self, group: str, topics: list[str]) -> list[PartitionLag]:
        tps = await partitions(self._admin, topics)
        if not tps:
            return []
        committed = {
            tp: meta.offset
            for tp, meta in (await self._admin.list_consumer_group_offsets(group, partitions=tps)).items()
            if meta.offset >= 0
        }
        beginning = await self._consumer.beginning_offsets(tps)
        end = await self._consumer.end_offsets(tps)
        next_offsets = {tp: committed.get(tp, beginning[tp]) for tp in tps}
        lagging = {tp: offset for tp, offset in next_offsets.items() if offset < end[tp]}
        ages = await self._ages(lagging)
        return [
            PartitionLag(
                tp.topic, tp.partition, committed.get(tp), end[tp], end[tp] - next_offsets[tp], ages.get(tp, 0.0)
            )
            for tp in tps
        ]

    async def _ages(self, offsets: dict[TopicPartition, int]) -> dict[TopicPartition, float]:
        """Age in seconds of the record at each offset: the oldest event not applied yet."""
        if not offsets:
            return {}
        self._consumer.assign(list(offsets))
        for tp, offset in offsets.items():
            self._consumer.seek(tp, offset)
        ages: dict[TopicPartition, float] = {}
        deadline = time.monotonic() + _PEEK_SECONDS
        while len(ages) < len(offsets) and time.monotonic() < deadline:
            batch = await self._consumer.getmany(*offsets, timeout_ms=200, max_records=len(offsets) * 10)
            for tp, records in batch.items():
                if records and tp not in ages:
                    ages[tp] = max(0.0, time.time() - records[0].timestamp / 1000)
            await asyncio.sleep(0)
        self._consumer.assign([])
        return ages
