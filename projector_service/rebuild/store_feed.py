"""The event store as a rebuild source (`rebuild --from-store`), for topics whose
retention lost data: `bahi_events` read with asyncpg, the only module of the
projector that touches PostgreSQL.

Rows are read in commit order, (tx_id, position), and only those of
transactions older than every running one (`pg_snapshot_xmin`), exactly as the
relay reads them: a late commit can never be skipped, and once the feed is
drained after the switch, every event the live projector could have seen on
Kafka (the relay published it from the same feed) is in the new view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from projector_service.engine.records import STORE_TOPIC, Coordinates, Incoming, from_store
from shared.envelope import EventEnvelope

_COLUMNS = (
    "event_id, stream_id, stream_type, version, position, event_type, schema_version,"
    " data::text AS data, metadata::text AS metadata, recorded_at, tx_id::text AS tx"
)
_VISIBLE = "stream_type = ANY($1::text[]) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"


def to_incoming(row: Any) -> Incoming:
    """A row as the record the relay would publish; a row that is not a valid envelope keeps its error."""
    try:
        env = EventEnvelope.model_validate(
            {
                "event_id": row["event_id"],
                "stream_id": row["stream_id"],
                "stream_type": row["stream_type"],
                "version": row["version"],
                "position": row["position"],
                "event_type": row["event_type"],
                "schema_version": row["schema_version"],
                "data": orjson.loads(row["data"]),
                "metadata": orjson.loads(row["metadata"]),
                "recorded_at": row["recorded_at"],
            }
        )
    except (ValueError, orjson.JSONDecodeError) as exc:
        coords = Coordinates(STORE_TOPIC, 0, row["position"])
        headers = (("ce_subject", str(row["stream_id"]).encode()), ("ce_type", str(row["event_type"]).encode()))
        value = str(row["data"]).encode()
        timestamp_ms = int(row["recorded_at"].timestamp() * 1000)
        return Incoming(coords, str(row["stream_id"]).encode(), value, headers, timestamp_ms, None, exc)
    return from_store(env)


class StoreSource:
    kind = "store"
    group: str | None = None

    def __init__(self, dsn: str, stream_types: tuple[str, ...]) -> None:
        self.consumed = 0
        self._dsn = dsn
        self._types = list(stream_types)
        self._conn: asyncpg.Connection | None = None
        self._after = ("0", 0)
        self._drained = False

    async def start(self) -> int:
        self._conn = await asyncpg.connect(self._dsn)
        total = await self._conn.fetchval(f"SELECT count(*) FROM bahi_events WHERE {_VISIBLE}", self._types)
        await self.mark()
        return int(total)

    async def read(self, max_records: int) -> list[Incoming]:
        assert self._conn is not None, "start() first"
        rows = await self._conn.fetch(
            f"""SELECT {_COLUMNS} FROM bahi_events
                WHERE {_VISIBLE} AND (tx_id, position) > ($2::text::xid8, $3)
                ORDER BY tx_id, position LIMIT $4""",
            self._types,
            self._after[0],
            self._after[1],
            max_records,
        )
        if len(rows) < max_records:
            self._drained = True  # everything visible when this query began has been read
        if rows:
            self._after = (rows[-1]["tx"], rows[-1]["position"])
        self.consumed += len(rows)
        return [to_incoming(row) for row in rows]

    async def mark(self) -> None:
        self._drained = False

    async def reached_mark(self) -> bool:
        return self._drained

    async def commit(self, items: Sequence[Incoming]) -> None:
        """Nothing to commit: a rebuild from the store that stops starts over."""

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()
