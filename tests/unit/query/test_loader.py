"""The coalescing document loader of the query service, against an in-memory collection
whose queries can be held open: reads share queries, yet never answer from a query
sent before they arrived; errors and cancellations stay with the reads they concern."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from query_service.reads.loader import DocumentLoader
from shared.read_models import POINTERS, CollectionResolver


class FakeCollection:
    def __init__(self, docs: dict[str, dict[str, Any]], name: str = "order_view") -> None:
        self.name = name
        self.docs = docs
        self.queries: list[list[str]] = []
        self.gate: asyncio.Event | None = None  # while set to an unset event, queries wait on it
        self.fail: Exception | None = None

    async def _run(self, ids: list[str]) -> list[dict[str, Any]]:
        self.queries.append(ids)
        snapshot = [dict(self.docs[i]) for i in ids if i in self.docs]  # what the server read
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return snapshot

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        found = await self._run([query["_id"]])
        return found[0] if found else None

    def find(self, query: dict[str, Any], batch_size: int = 0) -> AsyncIterator[dict[str, Any]]:
        async def cursor() -> AsyncIterator[dict[str, Any]]:
            for doc in await self._run(list(query["_id"]["$in"])):
                yield doc

        return cursor()


class FakeDb:
    def __init__(self, *collections: FakeCollection) -> None:
        self.collections = {c.name: c for c in collections}
        self.pointers = FakeCollection({}, POINTERS)

    def __getitem__(self, name: str) -> FakeCollection:
        return self.pointers if name == POINTERS else self.collections[name]


def loader_for(docs: dict[str, dict[str, Any]], **options: int) -> tuple[DocumentLoader, FakeCollection]:
    collection = FakeCollection(docs)
    db: Any = FakeDb(collection)
    return DocumentLoader(db, CollectionResolver(db), **options), collection


async def test_concurrent_reads_share_queries_and_each_gets_its_own_document() -> None:
    docs = {f"o-{n}": {"_id": f"o-{n}", "version": n} for n in range(40)}
    loader, collection = loader_for(docs, max_batch=16, max_in_flight=2)
    wanted = [f"o-{n % 45}" for n in range(90)]  # duplicates, and five ids that do not exist
    got = await asyncio.gather(*(loader.get("order_view", doc_id) for doc_id in wanted))
    assert got == [docs.get(doc_id) for doc_id in wanted]
    assert len(collection.queries) < 20 and max(len(q) for q in collection.queries) <= 16
    assert sorted({i for q in collection.queries for i in q}) == sorted(set(wanted))


async def test_a_lone_read_is_sent_at_once() -> None:
    loader, collection = loader_for({"o-1": {"_id": "o-1", "version": 1}})
    assert await loader.get("order_view", "o-1") == {"_id": "o-1", "version": 1}
    assert await loader.get("order_view", "o-2") is None
    assert collection.queries == [["o-1"], ["o-2"]]


async def test_a_read_never_joins_a_query_sent_before_it_arrived() -> None:
    loader, collection = loader_for({"o-1": {"_id": "o-1", "version": 1}}, max_in_flight=1)
    collection.gate = asyncio.Event()
    first = asyncio.create_task(loader.get("order_view", "o-1"))
    while not collection.queries:  # the first query is out, reading version 1
        await asyncio.sleep(0)
    collection.docs["o-1"] = {"_id": "o-1", "version": 2}  # a write lands, then a second read arrives
    second = asyncio.create_task(loader.get("order_view", "o-1"))
    await asyncio.sleep(0)
    assert len(collection.queries) == 1  # the only drainer is busy: the second read waits for its own query
    collection.gate.set()
    assert (await first)["version"] == 1  # type: ignore[index]
    assert (await second)["version"] == 2  # type: ignore[index]
    assert collection.queries == [["o-1"], ["o-1"]]


async def test_a_failed_query_fails_its_reads_only_and_the_loader_goes_on() -> None:
    loader, collection = loader_for({"o-1": {"_id": "o-1", "version": 1}})
    collection.fail = RuntimeError("server went away")
    results = await asyncio.gather(*(loader.get("order_view", "o-1") for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    collection.fail = None
    assert await loader.get("order_view", "o-1") == {"_id": "o-1", "version": 1}


async def test_a_cancelled_read_does_not_cancel_the_others_of_its_query() -> None:
    loader, collection = loader_for({"o-1": {"_id": "o-1", "version": 1}}, max_in_flight=1)
    collection.gate = asyncio.Event()
    reads = [asyncio.create_task(loader.get("order_view", "o-1")) for _ in range(3)]
    while not collection.queries:
        await asyncio.sleep(0)
    reads[0].cancel()
    collection.gate.set()
    assert [await r for r in reads[1:]] == [{"_id": "o-1", "version": 1}] * 2
    with pytest.raises(asyncio.CancelledError):
        await reads[0]


async def test_closing_cancels_queries_in_flight() -> None:
    loader, collection = loader_for({"o-1": {"_id": "o-1"}})
    collection.gate = asyncio.Event()
    read = asyncio.create_task(loader.get("order_view", "o-1"))
    while not collection.queries:
        await asyncio.sleep(0)
    await loader.close()
    with pytest.raises(asyncio.CancelledError):
        await read


async def test_reads_follow_the_live_collection_after_a_rebuild_switch() -> None:
    old = FakeCollection({"o-1": {"_id": "o-1", "version": 1}})
    new = FakeCollection({"o-1": {"_id": "o-1", "version": 1, "rebuilt": True}}, "order_view__v2")
    db: Any = FakeDb(old, new)
    loader = DocumentLoader(db, CollectionResolver(db, ttl=0))
    assert await loader.get("order_view", "o-1") == {"_id": "o-1", "version": 1}
    db.pointers.docs["order_view"] = {"_id": "order_view", "collection": "order_view__v2"}
    assert await loader.get("order_view", "o-1") == {"_id": "o-1", "version": 1, "rebuilt": True}
    assert (old.queries, new.queries) == ([["o-1"]], [["o-1"]])


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        loader_for({}, max_batch=0)
