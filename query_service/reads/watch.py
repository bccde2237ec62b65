"""Read-your-writes waits, coalesced: however many requests wait for documents of a
collection to reach a version, one `$in` query per tick checks all of them.

Polling per request made the wait itself the load: under a steady stream of commands
with a view lagging behind, hundreds of waiters each re-reading every few milliseconds
swamp the MongoDB stand-in and slow the very projector they wait for. For the same
reason each waiter backs off: it is checked at once, then at intervals doubling from
`TICK_SECONDS` up to `MAX_INTERVAL_SECONDS` (a projector's write is not faster than
that anyway), so a document is not re-read many times a second while its projector is
still busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.read_models import CollectionResolver

log = logging.getLogger(__name__)

TICK_SECONDS = 0.005
MAX_INTERVAL_SECONDS = 0.025


@dataclass
class _Waiter:
    doc_id: str
    path: str
    version: int
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    due: float = 0.0
    """When to look again (loop time); 0: at the next tick."""
    interval: float = 0.0


def _dig(doc: dict[str, Any], path: str) -> int:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, int) else 0


class VersionWatcher:
    def __init__(
        self,
        db: AsyncDatabase[Any],
        resolver: CollectionResolver,
        tick: float = TICK_SECONDS,
        max_interval: float = MAX_INTERVAL_SECONDS,
    ) -> None:
        self._db = db
        self._resolver = resolver
        self._tick = tick
        self._max_interval = max(tick, max_interval)
        self._waiting: dict[str, list[_Waiter]] = defaultdict(list)
        self._loops: dict[str, asyncio.Task[None]] = {}

    async def wait(self, read_model: str, doc_id: str, version: int, timeout: float, field: str = "version") -> bool:
        """True once the document's `field` (a dotted path) is at least `version`; False on timeout."""
        waiter = _Waiter(doc_id, field, version)
        self._waiting[read_model].append(waiter)
        if read_model not in self._loops or self._loops[read_model].done():
            self._loops[read_model] = asyncio.create_task(self._watch(read_model))
        try:
            await asyncio.wait_for(asyncio.shield(waiter.done), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiting[read_model].remove(waiter)

    async def _watch(self, read_model: str) -> None:
        waiting = self._waiting[read_model]
        loop = asyncio.get_running_loop()
        while waiting:
            now = loop.time()
            due = [w for w in waiting if not w.done.done() and w.due <= now]
            for w in due:
                w.interval = min(max(w.interval * 2, self._tick), self._max_interval)
                w.due = now + w.interval
            try:
                await self._check(read_model, due)
            except PyMongoError:  # MongoDB hiccup: the waiters' own deadlines bound the wait
                log.warning("checking %s for waiting readers failed", read_model, exc_info=True)
            await asyncio.sleep(self._tick)

    async def _check(self, read_model: str, pending: list[_Waiter]) -> None:
        if pending:
            fields = {w.path for w in pending} | {"_id"}
            docs = self._db[await self._resolver.live(read_model)].find(
                {"_id": {"$in": list({w.doc_id for w in pending})}}, dict.fromkeys(fields, 1)
            )
            found = {doc["_id"]: doc async for doc in docs}
            for w in pending:
                doc = found.get(w.doc_id)
                if doc is not None and _dig(doc, w.path) >= w.version and not w.done.done():
                    w.done.set_result(None)
