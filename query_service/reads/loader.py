"""Single-document reads by id, coalesced: concurrent reads of one collection share
one `{_id: {$in: [...]}}` query instead of sending a `find_one` each.

Never stale: a read joins only a batch that has not been sent yet, so every answer
comes from a query issued after its request arrived — exactly what a `find_one` of
its own would have seen, or newer. With fewer than `max_in_flight` queries out, a
read is sent at once (no added latency when idle); while they are out, new reads
gather for the next query, which a finishing drainer sends without waiting.

Why: a MongoDB server (and pymongo) pays per query far more than per document, so under
concurrent reads one `$in` of many ids costs both sides much less CPU per document than a
`find_one` each. Measure it with `python -m tests.bench.bench_query`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

from prometheus_client import Histogram
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.read_models import CollectionResolver

Document = Mapping[str, Any]

BATCH_IDS = Histogram(
    "bahi_query_read_batch_ids",
    "Distinct ids per coalesced single-document query",
    ["read_model"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)


class _Batcher:
    """The pending reads of one collection and the drainers sending them."""

    def __init__(self, collection: AsyncCollection[Any], read_model: str, max_batch: int, max_in_flight: int) -> None:
        self.collection = collection
        self._observe = BATCH_IDS.labels(read_model).observe
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._pending: dict[str, list[asyncio.Future[Document | None]]] = {}
        self._drainers = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, doc_id: str) -> asyncio.Future[Document | None]:
        # One future per read: a cancelled read (client gone) cancels only its own.
        future: asyncio.Future[Document | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(doc_id, []).append(future)
        if self._drainers < self._max_in_flight:
            self._drainers += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return future

    async def _drain(self) -> None:
        try:
            while self._pending:
                ids = list(itertools.islice(self._pending, self._max_batch))
                await self._fetch({doc_id: self._pending.pop(doc_id) for doc_id in ids})
        finally:
            self._drainers -= 1

    async def _fetch(self, batch: dict[str, list[asyncio.Future[Document | None]]]) -> None:
        self._observe(len(batch))
        try:
            if len(batch) == 1:
                [doc_id] = batch
                doc = await self.collection.find_one({"_id": doc_id})
                found = {doc_id: doc} if doc is not None else {}
            else:
                cursor = self.collection.find({"_id": {"$in": list(batch)}}, batch_size=len(batch))
                found = {doc["_id"]: doc async for doc in cursor}
        except Exception as exc:  # every read of the batch fails as its own find_one would have
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        except BaseException:
            for futures in batch.values():
                for future in futures:
                    future.cancel()
            raise
        for doc_id, futures in batch.items():
            doc = found.get(doc_id)
            for future in futures:
                if not future.done():
                    future.set_result(doc)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class DocumentLoader:
    """`await loader.get(read_model, doc_id)`: the stored document of a read model's
    live collection, or None; concurrent calls are coalesced per collection."""

    def __init__(
        self, db: AsyncDatabase[Any], resolver: CollectionResolver, *, max_batch: int = 64, max_in_flight: int = 2
    ) -> None:
        if max_batch < 1 or max_in_flight < 1:
            raise ValueError("max_batch and max_in_flight must be at least 1")
        self._db = db
        self._resolver = resolver
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._batchers: dict[str, _Batcher] = {}

    @property
    def db(self) -> AsyncDatabase[Any]:
        """The database, for reads that are queries rather than one document by id."""
        return self._db

    @property
    def resolver(self) -> CollectionResolver:
        return self._resolver

    async def get(self, read_model: str, doc_id: str) -> Document | None:
        name = await self._resolver.live(read_model)
        batcher = self._batchers.get(read_model)
        if batcher is None or batcher.collection.name != name:  # first read, or a rebuild went live
            # A replaced batcher's drainers still finish the reads it holds.
            batcher = _Batcher(self._db[name], read_model, self._max_batch, self._max_in_flight)
            self._batchers[read_model] = batcher
        return await batcher.get(doc_id)

    async def close(self) -> None:
        await asyncio.gather(*(batcher.close() for batcher in self._batchers.values()))
