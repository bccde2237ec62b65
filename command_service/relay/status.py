"""Where the relay stands, read from PostgreSQL alone (no relay process is asked): its
checkpoint, the store's head, the events not published yet and the age of the oldest of them,
and whether a relay holds the leader lock (`pg_locks` shows the advisory lock and its backend).

One read-only snapshot, so the numbers agree with each other. Counting the unpublished events
walks the commit-order index from the checkpoint (the backlog only); counting every event scans
the whole table: fine for an operator's command, too slow for a metric scraped every few seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from command_service.relay.feed import Checkpoint
from command_service.relay.relay import LEADER_LOCK

_CHECKPOINT = "SELECT tx_id::text::bigint AS tx, position, updated_at FROM bahi_relay_checkpoint WHERE name = $1"
# Both ages from clock_timestamp(), the clock `recorded_at` is written with. A one-key advisory
# lock shows in pg_locks as classid (high 32 bits), objid (low 32 bits) and objsubid 1.
_STANDING = """
SELECT current_database() AS database,
       (SELECT coalesce(max(position), 0) FROM bahi_events) AS head,
       (SELECT count(*) FROM bahi_events) AS events,
       backlog.lag,
       coalesce(extract(epoch FROM clock_timestamp() - backlog.oldest)::float8, 0.0) AS lag_seconds,
       (SELECT min(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (classid::bigint << 32) + objid::bigint = $3) AS leader_pid
FROM (SELECT count(*) AS lag, min(recorded_at) AS oldest FROM bahi_events
      WHERE (tx_id, position) > ($1::text::xid8, $2)) AS backlog
"""


@dataclass(frozen=True)
class RelayStatus:
    name: str
    database: str
    checkpoint: Checkpoint
    """Of the last published event; (0, 0) before the first publication."""
    checkpoint_saved_at: datetime | None
    head: int
    """The highest position in the store."""
    lag: int
    """Events stored after the checkpoint: committed, not published yet."""
    lag_seconds: float
    """Age of the oldest of them (0 when there is none)."""
    events: int
    leader_pid: int | None
    """The PostgreSQL backend of the relay holding the leader lock, None when no relay does."""

    @property
    def leader(self) -> bool:
        return self.leader_pid is not None


async def relay_status(conn: asyncpg.Connection, name: str) -> RelayStatus:
    """Where relay `name` (BAHI_RELAY_NAME) stands, on a connection to the event store's database."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        saved = await conn.fetchrow(_CHECKPOINT, name)
        checkpoint = Checkpoint(saved["tx"], saved["position"]) if saved else Checkpoint()
        row = await conn.fetchrow(_STANDING, str(checkpoint.tx_id), checkpoint.position, LEADER_LOCK)
    assert row is not None
    return RelayStatus(
        name=name,
        database=row["database"],
        checkpoint=checkpoint,
        checkpoint_saved_at=saved["updated_at"] if saved else None,
        head=row["head"],
        lag=row["lag"],
        lag_seconds=max(row["lag_seconds"], 0.0),
        events=row["events"],
        leader_pid=row["leader_pid"],
    )


async def read_status(database_url: str, name: str) -> RelayStatus:
    conn = await asyncpg.connect(database_url)
    try:
        return await relay_status(conn, name)
    finally:
        await conn.close()
