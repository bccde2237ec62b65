"""Prototype (not the product): wake the relay after the commit, not inside the append.

PostgreSQL serialises the commits of transactions that NOTIFY: PreCommit_Notify takes a
heavyweight lock on "database 0" (cluster-wide) and holds it until the transaction has
committed, WAL flush included (src/backend/commands/async.c), so appends that notify
cannot share a flush (no group commit), and they queue behind every other notifying
transaction on the cluster. Here `bahi_append` has no `pg_notify`; the adapter sends
`SELECT pg_notify(...)` on a connection of its own once the append has committed.
Appends no longer take that lock at all; the notify-only transactions still do (they
get an xid and flush their commit record), but at most one is in flight per process:
pokes that arrive meanwhile fold into one more notify after it, so a notify always
follows the last commit and the relay wakes as it does today.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg

from command_service.event_store.ports import AppendResult, AppendStream, IdempotencyRecord
from command_service.event_store.postgres import PostgresEventStore, schema_sql

NOTIFY = "PERFORM pg_notify('bahi_events', '');"


def schema_without_notify() -> str:
    # The product adopted this (command_service/event_store/notify.py): the replace is a no-op now.
    return schema_sql().replace(NOTIFY, "")


class AfterCommitNotifier:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    def poke(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._send())

    async def _send(self) -> None:
        async with self._pool.acquire() as conn:
            while self._dirty:
                self._dirty = False
                await conn.execute("SELECT pg_notify('bahi_events', '')")
                self.sent += 1

    async def close(self) -> None:
        if self._task is not None:
            await self._task


class NotifyAfterCommitStore(PostgresEventStore):
    """PostgresEventStore over a `bahi_append` without NOTIFY, poking the notifier after each commit."""

    def __init__(self, pool: asyncpg.Pool, notifier: AfterCommitNotifier) -> None:
        super().__init__(pool)
        self._notifier = notifier

    async def append(
        self, streams: Sequence[AppendStream], idempotency: IdempotencyRecord | None = None
    ) -> AppendResult:
        result = await super().append(streams, idempotency)
        self._notifier.poke()
        return result
