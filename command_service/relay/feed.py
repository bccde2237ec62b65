"""The committed feed: events of finished transactions, ordered by (transaction id, position).

A plain `WHERE position > last` skips events: positions are taken at insert, but
transactions commit in another order. Here a row is read only once its
transaction is older than every transaction still running
(`pg_snapshot_xmin(pg_current_snapshot())`), so no row can later appear before
the checkpoint. Writers take per-stream locks before their first write (see
`bahi_append`), so within a stream the transaction order is the version order.

`next_records` is the relay's hot path: rows go straight into Kafka records, with no
`EventEnvelope` in between and the data left as PostgreSQL's JSON text, so the relay
does no JSON decoding and re-encoding and builds no validated model per event.
`tests/integration/relay/test_relay.py` checks the records equal `shared.cloudevents.to_kafka`
of the envelope; `python -m tests.bench.bench_relay` re-measures the relay against a raw
aiokafka producer sending the same records.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from shared.cloudevents import KafkaRecord, kafka_record

# The event id, the data (JSON text) and the CloudEvents time as text straight from
# PostgreSQL (the time as shared.cloudevents writes it: microseconds only when not zero).
_RECORD_COLUMNS = """event_id::text AS event_id, stream_id, stream_type, version, position, event_type,
    schema_version, data::text AS data, metadata, tx_id::text::bigint AS tx,
    to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_part('microseconds', recorded_at)::int % 1000000 = 0 THEN ''
            ELSE to_char(recorded_at AT TIME ZONE 'UTC', '.US') END || 'Z' AS ce_time"""
_NEXT_RECORDS = f"""SELECT {_RECORD_COLUMNS} FROM bahi_events
            WHERE (tx_id, position) > ($1::text::xid8, $2)
              AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY tx_id, position LIMIT $3"""


@dataclass(frozen=True, order=True)
class Checkpoint:
    tx_id: int = 0
    position: int = 0


@dataclass(frozen=True)
class RecordBatch:
    records: list[tuple[str, KafkaRecord]]
    """(stream type, record) in commit order."""
    end: Checkpoint


class CommittedFeed:
    def __init__(self, conn: asyncpg.Connection, name: str) -> None:
        self._conn = conn
        self._name = name

    async def checkpoint(self) -> Checkpoint:
        row = await self._conn.fetchrow(
            "SELECT tx_id::text::bigint AS tx, position FROM bahi_relay_checkpoint WHERE name = $1", self._name
        )
        return Checkpoint(row["tx"], row["position"]) if row else Checkpoint()

    async def save(self, checkpoint: Checkpoint) -> None:
        await self._conn.execute(
            """INSERT INTO bahi_relay_checkpoint (name, tx_id, position) VALUES ($1, $2::text::xid8, $3)
               ON CONFLICT (name) DO UPDATE
               SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()""",
            self._name,
            str(checkpoint.tx_id),
            checkpoint.position,
        )

    async def next_records(self, after: Checkpoint, limit: int, source: bytes) -> RecordBatch:
        """Up to `limit` committed events after `after`, in (transaction id, position) order, as
        (stream type, Kafka record); `end` is the last one's checkpoint (`after` when none)."""
        rows = await self._conn.fetch(_NEXT_RECORDS, str(after.tx_id), after.position, limit)
        if not rows:
            return RecordBatch([], after)
        records = [
            (
                row["stream_type"],
                kafka_record(
                    event_id=row["event_id"],
                    stream_id=row["stream_id"],
                    stream_type=row["stream_type"],
                    version=row["version"],
                    position=row["position"],
                    event_type=row["event_type"],
                    schema_version=row["schema_version"],
                    data=row["data"],
                    metadata=row["metadata"],
                    recorded_at=row["ce_time"],
                    source=source,
                ),
            )
            for row in rows
        ]
        return RecordBatch(records, Checkpoint(rows[-1]["tx"], rows[-1]["position"]))

    async def lag(self, after: Checkpoint) -> tuple[int, float]:
        """(global positions between the newest event and the checkpoint, age in seconds of the
        oldest unpublished event): two index lookups, cheap enough to run every second."""
        row = await self._conn.fetchrow(
            """SELECT (SELECT coalesce(max(position), 0) FROM bahi_events) AS head,
                      (SELECT extract(epoch FROM clock_timestamp() - recorded_at)::float8 FROM bahi_events
                       WHERE (tx_id, position) > ($1::text::xid8, $2) ORDER BY tx_id, position LIMIT 1) AS age""",
            str(after.tx_id),
            after.position,
        )
        assert row is not None
        return max(int(row["head"]) - after.position, 0), float(row["age"] or 0.0)
