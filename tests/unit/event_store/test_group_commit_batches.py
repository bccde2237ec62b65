"""How the group committer cuts concurrent appends into batches (no database: a pool that
answers `bahi_append_batch` as PostgreSQL would for commands that all succeed)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

import asyncpg

from command_service.event_store import NO_STREAM, AppendResult, AppendStream, IdempotencyRecord
from command_service.event_store.group_commit import GroupCommitter
from shared.envelope import NewEvent


def command(stream_id: str, events: int) -> list[AppendStream]:
    new = [NewEvent(event_id=uuid4(), event_type="OrderPlaced", schema_version=1, data={}) for _ in range(events)]
    return [AppendStream(stream_id, "order", NO_STREAM, new)]


class BatchPool:
    """Records each batch's size in events and how many batches were in flight at once."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.position = 0

    async def fetch(self, _query: str, *args: Any) -> list[dict[str, Any]]:
        s_cmd, s_ids, s_counts = args[5], args[6], args[9]
        self.batches.append(len(args[11]))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0)  # PostgreSQL's turn: the event loop may start another batch
        await asyncio.sleep(0)
        self.in_flight -= 1
        rows = []
        for cmd, stream_id, count in zip(s_cmd, s_ids, s_counts, strict=True):
            self.position += count
            row = {"cmd": cmd, "stream_id": stream_id, "version": count, "last_position": self.position}
            rows.append(row | {"status": "ok", "detail": None})
        return rows


async def single(streams: Sequence[AppendStream], _idem: Sequence[IdempotencyRecord]) -> AppendResult:
    return AppendResult(versions={s.stream_id: len(s.events) for s in streams}, positions={})


async def test_big_commands_are_cut_into_batches_that_run_side_by_side() -> None:
    pool = BatchPool()
    committer = GroupCommitter(pool, single, max_batch_events=80)  # type: ignore[arg-type]
    results = await asyncio.gather(*(committer.append(command(f"s{i}", 10), ()) for i in range(16)))
    assert [r.versions for r in results] == [{f"s{i}": 10} for i in range(16)]
    assert sum(pool.batches) == 160
    assert max(pool.batches) <= 80 and len(pool.batches) >= 2
    assert pool.most_in_flight >= 2  # the rest did not wait for the first batch to commit


async def test_small_commands_share_one_batch() -> None:
    pool = BatchPool()
    committer = GroupCommitter(pool, single, max_batch_events=80)  # type: ignore[arg-type]
    await asyncio.gather(*(committer.append(command(f"s{i}", 1), ()) for i in range(16)))
    assert pool.batches == [16]  # one transaction, one WAL flush for all sixteen


async def test_a_command_bigger_than_the_cap_still_goes_through() -> None:
    pool = BatchPool()
    committer = GroupCommitter(pool, single, max_batch_events=8)  # type: ignore[arg-type]
    results = await asyncio.gather(*(committer.append(command(f"big{i}", 20), ()) for i in range(3)))
    assert [r.versions for r in results] == [{f"big{i}": 20} for i in range(3)]


class DyingPool(BatchPool):
    """PostgreSQL killed under the first batch: the connection is left half-way through
    (asyncpg's InternalClientError, as the chaos suite saw), then the server is back."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def fetch(self, _query: str, *args: Any) -> list[dict[str, Any]]:
        if self.failures:
            self.failures -= 1
            await asyncio.sleep(0)
            raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
        return await super().fetch(_query, *args)


async def test_a_batch_whose_connection_breaks_answers_every_caller_and_the_next_batch_commits() -> None:
    pool = DyingPool()
    committer = GroupCommitter(pool, single)  # type: ignore[arg-type]
    calls = [asyncio.ensure_future(committer.append(command(f"s{i}", 1), ())) for i in range(8)]
    for _ in range(100):  # everything here is in memory: a few turns of the loop settle it
        await asyncio.sleep(0)
    assert all(call.done() for call in calls), "a caller of the broken batch was left waiting"
    failed = [call for call in calls if call.exception() is not None]
    assert failed and all(isinstance(call.exception(), asyncpg.InternalClientError) for call in failed)
    later = await asyncio.gather(*(committer.append(command(f"t{i}", 1), ()) for i in range(4)))
    assert [r.versions for r in later] == [{f"t{i}": 1} for i in range(4)]
