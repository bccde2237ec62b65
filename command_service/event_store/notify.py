"""Wakes the relay after appends have committed.

Not inside `bahi_append`: PostgreSQL serialises the commits of transactions that
NOTIFY (a cluster-wide lock held until the commit is flushed), so notifying
appends could not share a WAL flush and queued behind each other. Here the
notify is a transaction of its own, at most one in flight per process; pokes that
arrive meanwhile fold into one more notify after it, so a notify always follows
the last commit. The relay also polls, so a lost notify only delays it.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)

CHANNEL = "bahi_events"


class AfterCommitNotifier:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._send())

    async def _send(self) -> None:
        try:
            async with self._pool.acquire() as conn:
                while self._dirty:
                    self._dirty = False
                    await conn.execute(f"SELECT pg_notify('{CHANNEL}', '')")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("could not wake the relay (%s); it will poll", exc)
