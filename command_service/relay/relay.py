"""The relay loop: one active instance (advisory-lock leadership), woken by
LISTEN/NOTIFY with a polling fallback, publishing batches and checkpointing only
after the broker acknowledged them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

import asyncpg
from prometheus_client import Counter, Gauge

from command_service.event_store.notify import CHANNEL
from command_service.event_store.postgres import init_connection
from command_service.relay.feed import Checkpoint, CommittedFeed, RecordBatch
from command_service.relay.publisher import Publisher

log = logging.getLogger(__name__)

LEADER_LOCK = 7140002
IN_FLIGHT = 2
NOTIFY_CHANNEL = CHANNEL

PUBLISHED = Counter("bahi_relay_published_events_total", "Events published to Kafka")
LAG_POSITIONS = Gauge("bahi_relay_lag_positions", "Global positions between the newest event and the checkpoint")
LAG_SECONDS = Gauge("bahi_relay_lag_seconds", "Age of the oldest committed event not yet published")
CHECKPOINT = Gauge("bahi_relay_checkpoint_position", "Position of the last published event")
LEADER = Gauge("bahi_relay_is_leader", "1 when this instance is the active relay")


class Relay:
    def __init__(
        self,
        database_url: str,
        publisher: Publisher,
        *,
        name: str = "main",
        batch_size: int = 2000,
        poll_seconds: float = 0.5,
    ) -> None:
        self._url = database_url
        self._publisher = publisher
        self._name = name
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.is_leader = False
        self.checkpoint = Checkpoint()
        self._last_lag = 0.0

    async def run(self) -> None:
        """Run until cancelled or stopped (`stop`). Any failure (database, broker) ends this
        round of leadership; the next round resumes from the saved checkpoint, so unacknowledged
        batches are sent again (at-least-once; consumers dedupe by stream id + version)."""
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                await self._lead()
            except Exception as exc:
                log.warning("relay stopped publishing (%s: %s); retrying in %.1fs", type(exc).__name__, exc, backoff)
                self.is_leader = False
                LEADER.set(0)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def stop(self, running: asyncio.Task[None], timeout: float) -> None:
        """A graceful stop: read nothing more, wait (up to `timeout`) for the broker to
        acknowledge what was handed to it, checkpoint that, then end `running` (this relay's
        `run`). So the next relay resumes exactly after the last acknowledged event; what is
        still unacknowledged at the timeout is cancelled and sent again by the next one."""
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(running), timeout)
        except TimeoutError:
            log.warning("relay stop: acknowledgements still pending after %.0fs; cancelling", timeout)
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    async def _lead(self) -> None:
        conn = await asyncpg.connect(self._url)
        await init_connection(conn)
        try:
            await self._acquire_leadership(conn)
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            feed = CommittedFeed(conn, self._name)
            self.checkpoint = await feed.checkpoint()
            log.info("relay %s is the leader, resuming after %s", self._name, self.checkpoint)
            await self._pump(feed)
        finally:
            self.is_leader = False
            LEADER.set(0)
            await conn.close()

    async def _acquire_leadership(self, conn: asyncpg.Connection) -> None:
        # Session-level lock: it goes away with the connection, so a dead leader's
        # successor takes over as soon as PostgreSQL notices (at once for a kill -9).
        waiting_logged = False
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
            if not waiting_logged:
                log.info("another relay is active; standing by")
                waiting_logged = True
            await asyncio.sleep(0.5)
        self.is_leader = True
        LEADER.set(1)

    async def _pump(self, feed: CommittedFeed) -> None:
        # Up to IN_FLIGHT batches handed to the producer (in order) await their acknowledgements
        # at once; the checkpoint advances in order, each step only once its batch is acknowledged.
        # After a full batch the next read starts at once, on PostgreSQL, while this process hands
        # the batch to the producer. The connection is then busy: acknowledged batches are
        # checkpointed (and the lag looked up) before that read begins. After a partial batch
        # there is no read ahead, and that work waits until the batch is with the producer.
        inflight: deque[tuple[asyncio.Future[Any], Checkpoint, int]] = deque()
        read_to = self.checkpoint
        ahead: asyncio.Task[RecordBatch] | None = None
        self._last_lag = 0.0
        try:
            while not self._stopping.is_set():
                if ahead is None:
                    self._wake.clear()
                    batch = await feed.next_records(read_to, self._batch_size, self._publisher.source)
                else:
                    batch, ahead = await ahead, None
                full = len(batch.records) == self._batch_size
                if full:
                    await self._housekeep(feed, inflight, wait=False)
                    self._wake.clear()
                    ahead = asyncio.create_task(feed.next_records(batch.end, self._batch_size, self._publisher.source))
                if batch.records:
                    read_to = batch.end
                    inflight.append((await self._publisher.enqueue(batch.records), batch.end, len(batch.records)))
                    if len(inflight) >= IN_FLIGHT:
                        await inflight[-IN_FLIGHT][0]  # no more than IN_FLIGHT batches unacknowledged
                if not full:
                    await self._housekeep(feed, inflight, wait=not batch.records)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll)
            if ahead is not None:  # stopping: what was read ahead is not handed to the producer
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await ahead
                ahead = None
            await self._checkpoint_acknowledged(feed, inflight, wait=True)
            log.info("relay %s stopped after %s", self._name, self.checkpoint)
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await ahead

    async def _housekeep(
        self, feed: CommittedFeed, inflight: deque[tuple[asyncio.Future[Any], Checkpoint, int]], *, wait: bool
    ) -> None:
        """What needs the connection besides reading: checkpoints, and the lag once a second."""
        await self._checkpoint_acknowledged(feed, inflight, wait=wait)
        if time.monotonic() - self._last_lag > 1.0:
            positions, seconds = await feed.lag(self.checkpoint)
            LAG_POSITIONS.set(positions)
            LAG_SECONDS.set(seconds)
            self._last_lag = time.monotonic()

    async def _checkpoint_acknowledged(
        self, feed: CommittedFeed, inflight: deque[tuple[asyncio.Future[Any], Checkpoint, int]], *, wait: bool
    ) -> None:
        """Checkpoint the batches the broker acknowledged, oldest first (all of them, waiting
        for their acknowledgements, when `wait`); one save for all of them."""
        end, count = None, 0
        while inflight and (wait or inflight[0][0].done()):
            acked, end, n = inflight.popleft()
            await acked
            count += n
        if end is not None:
            await feed.save(end)  # only after the broker acknowledged
            self.checkpoint = end
            PUBLISHED.inc(count)
            CHECKPOINT.set(end.position)
