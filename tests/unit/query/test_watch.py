"""Read-your-writes waits back off: a waiter is checked at once, then less and less often
(capped), so a document that is not there yet is not re-read every tick."""

from __future__ import annotations

from typing import Any

from query_service.reads.watch import VersionWatcher


class _Docs:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self._docs = iter(docs)

    def __aiter__(self) -> _Docs:
        return self

    async def __anext__(self) -> dict[str, Any]:
        try:
            return next(self._docs)
        except StopIteration:
            raise StopAsyncIteration from None


class _Collection:
    def __init__(self, store: dict[str, dict[str, Any]], reads: list[list[str]]) -> None:
        self._store, self._reads = store, reads

    def find(self, query: dict[str, Any], projection: dict[str, int]) -> _Docs:
        ids = query["_id"]["$in"]
        self._reads.append(ids)
        return _Docs([self._store[i] for i in ids if i in self._store])


class _Db:
    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}
        self.reads: list[list[str]] = []

    def __getitem__(self, name: str) -> _Collection:
        return _Collection(self.store, self.reads)


class _Resolver:
    async def live(self, name: str) -> str:
        return name


async def test_a_waiter_is_checked_at_once_then_ever_less_often() -> None:
    db = _Db()
    watcher = VersionWatcher(db, _Resolver(), tick=0.005, max_interval=0.025)  # type: ignore[arg-type]
    assert not await watcher.wait("order_view", "ord-1", 3, 0.2)
    # every tick would be ~40 reads in 0.2 s; backing off 5, 10, 20, then 25 ms: about 10
    assert 2 <= len(db.reads) <= 14


async def test_a_current_document_ends_the_wait_at_the_first_check() -> None:
    db = _Db()
    db.store["ord-1"] = {"_id": "ord-1", "version": 3}
    watcher = VersionWatcher(db, _Resolver(), tick=0.005, max_interval=0.025)  # type: ignore[arg-type]
    assert await watcher.wait("order_view", "ord-1", 3, 1.0)
    assert db.reads == [["ord-1"]]
