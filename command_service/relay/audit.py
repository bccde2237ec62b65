"""Publication audit: proves that every event in PostgreSQL reached Kafka.

For every stream, the versions on its topic must equal the versions in the
store (up to the relay's checkpoint; later events are reported as pending).
Reports holes (stored and checkpointed, yet not on the topic), duplicates (one
stream version on the topic more than once: allowed by at-least-once delivery,
harmless to consumers that dedupe by stream id + version) and strays (on the
topic, not in the store). Holes can be re-published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from command_service.event_store.postgres import envelope, init_connection
from command_service.relay.feed import CommittedFeed
from command_service.relay.publisher import Publisher
from shared import kafka_admin
from shared.contexts import catalog
from shared.streams import topic_for

StreamVersion = tuple[str, int]


@dataclass
class AuditReport:
    streams: int = 0
    stored: int = 0
    published_records: int = 0
    pending: int = 0
    holes: list[StreamVersion] = field(default_factory=list)
    duplicates: dict[StreamVersion, int] = field(default_factory=dict)
    strays: list[StreamVersion] = field(default_factory=list)
    republished: int = 0

    @property
    def ok(self) -> bool:
        return not self.holes and not self.strays

    def summary(self) -> str:
        return (
            f"streams={self.streams} stored={self.stored} records_on_topics={self.published_records} "
            f"pending={self.pending} holes={len(self.holes)} duplicates={len(self.duplicates)} "
            f"strays={len(self.strays)} republished={self.republished}"
        )


async def read_topic_versions(bootstrap: str, prefix: str) -> Counter[StreamVersion]:
    """(stream id, version) -> how many records carry it, up to the end offsets seen at the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    seen: Counter[StreamVersion] = Counter()
    try:
        partitions = await topic_partitions(bootstrap, [topic_for(t, prefix) for t in catalog().stream_types])
        if not partitions:
            return seen
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=50_000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    headers = dict(record.headers)
                    subject, version = headers.get("ce_subject"), headers.get("ce_streamversion")
                    if subject is not None and version is not None:
                        seen[(subject.decode(), int(version))] += 1
                if records and records[-1].offset >= ends[tp] - 1:
                    remaining.discard(tp)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return seen


async def topic_partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    """The partitions of the topics that exist (asking creates none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await kafka_admin.topic_partitions(admin, topics)
    finally:
        await admin.close()


async def audit(
    dsn: str, bootstrap: str, prefix: str, relay_name: str, publisher: Publisher | None = None
) -> AuditReport:
    """Compare store and topics; with a publisher, re-publish the holes (in store order)."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    try:
        checkpoint = await CommittedFeed(conn, relay_name).checkpoint()
        # Read the checkpoint before the topics: everything at or before it was acknowledged by then.
        on_topics = await read_topic_versions(bootstrap, prefix)
        rows = await conn.fetch(
            """SELECT stream_id, version, (tx_id, position) <= ($1::text::xid8, $2) AS published
               FROM bahi_events""",
            str(checkpoint.tx_id),
            checkpoint.position,
        )
        report = AuditReport(stored=len(rows), published_records=sum(on_topics.values()))
        stored: set[StreamVersion] = set()
        for row in rows:
            key = (row["stream_id"], row["version"])
            stored.add(key)
            if key not in on_topics:
                if row["published"]:
                    report.holes.append(key)
                else:
                    report.pending += 1
        report.streams = len({sid for sid, _ in stored})
        report.duplicates = {key: n for key, n in on_topics.items() if n > 1}
        report.strays = sorted(key for key in on_topics if key not in stored)
        report.holes.sort()
        if publisher is not None and report.holes:
            report.republished = await _republish(conn, publisher, report.holes)
        return report
    finally:
        await conn.close()


async def _republish(conn: asyncpg.Connection, publisher: Publisher, holes: list[StreamVersion]) -> int:
    rows = await conn.fetch(
        """SELECT e.event_id, e.stream_id, e.stream_type, e.version, e.position, e.event_type, e.schema_version,
                  e.data, e.metadata, e.recorded_at
           FROM bahi_events e JOIN unnest($1::text[], $2::bigint[]) AS h(stream_id, version)
             ON e.stream_id = h.stream_id AND e.version = h.version
           ORDER BY e.tx_id, e.position""",
        [sid for sid, _ in holes],
        [version for _, version in holes],
    )
    events = [envelope(row) for row in rows]
    await publisher.publish(events)
    return len(events)
