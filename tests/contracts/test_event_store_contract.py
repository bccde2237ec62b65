"""One contract for every event store adapter: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from pydantic import ValidationError

from command_service.event_store import (
    ANY,
    NO_STREAM,
    AppendStream,
    ConcurrencyError,
    DuplicateIdempotencyKeyError,
    EventStore,
    IdempotencyRecord,
    Snapshot,
)
from command_service.event_store.memory import InMemoryEventStore
from command_service.event_store.postgres import PostgresEventStore
from shared.commerce.events import OrderConfirmed
from shared.envelope import EventEnvelope, EventMetadata, NewEvent
from shared.events import current_schema_version, parse_event
from tests.support.infra import unique


def event(n: int = 0) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        event_type="Happened",
        schema_version=1,
        data={"n": n, "amount_paise": 100},
        metadata=EventMetadata(correlation_id="c", actor="tester"),
    )


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> EventStore:
    if request.param == "memory":
        return InMemoryEventStore()
    pool: asyncpg.Pool = request.getfixturevalue("pg_pool")
    return PostgresEventStore(pool)


async def test_versions_are_one_based_and_gap_free(store: EventStore) -> None:
    sid = unique("s-")
    first = await store.append([AppendStream(sid, "thing", NO_STREAM, [event(1), event(2)])])
    second = await store.append([AppendStream(sid, "thing", 2, [event(3)])])
    assert first.versions[sid] == 2 and second.versions[sid] == 3
    stored = await store.read_stream(sid)
    assert [e.version for e in stored] == [1, 2, 3]
    assert [e.data["n"] for e in stored] == [1, 2, 3]
    assert stored[0].metadata.actor == "tester" and stored[0].stream_type == "thing"
    assert stored[0].recorded_at.tzinfo is not None
    assert second.positions[sid] == stored[-1].position
    assert [e.version for e in await store.read_stream(sid, from_version=2)] == [2, 3]
    assert await store.stream_version(sid) == 3


async def test_positions_increase_across_streams(store: EventStore) -> None:
    a, b = unique("a-"), unique("b-")
    await store.append([AppendStream(a, "thing", NO_STREAM, [event()])])
    await store.append([AppendStream(b, "thing", NO_STREAM, [event()])])
    pa, pb = (await store.read_stream(a))[0].position, (await store.read_stream(b))[0].position
    assert pb > pa
    feed = await store.read_all(after_position=pa - 1, limit=10_000)
    assert [e.position for e in feed] == sorted(e.position for e in feed)
    assert {a, b} <= {e.stream_id for e in feed}


@pytest.mark.parametrize("expected", [NO_STREAM, 2, 5])
async def test_wrong_expected_version_raises_and_appends_nothing(store: EventStore, expected: int) -> None:
    sid = unique("s-")
    await store.append([AppendStream(sid, "thing", NO_STREAM, [event()])])
    with pytest.raises(ConcurrencyError) as caught:
        await store.append([AppendStream(sid, "thing", expected, [event()])])
    assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (sid, expected, 1)
    assert len(await store.read_stream(sid)) == 1


async def test_expected_version_of_a_missing_stream(store: EventStore) -> None:
    with pytest.raises(ConcurrencyError):
        await store.append([AppendStream(unique("s-"), "thing", 1, [event()])])


async def test_any_appends_whatever_the_version(store: EventStore) -> None:
    sid = unique("s-")
    await store.append([AppendStream(sid, "thing", ANY, [event()])])
    result = await store.append([AppendStream(sid, "thing", ANY, [event(), event()])])
    assert result.versions[sid] == 3


async def test_multi_stream_append_is_all_or_nothing(store: EventStore) -> None:
    a, b = unique("a-"), unique("b-")
    await store.append([AppendStream(b, "thing", NO_STREAM, [event()])])
    with pytest.raises(ConcurrencyError):
        await store.append([AppendStream(a, "thing", NO_STREAM, [event()]), AppendStream(b, "thing", 0, [event()])])
    assert await store.read_stream(a) == []
    ok = await store.append([AppendStream(a, "thing", NO_STREAM, [event()]), AppendStream(b, "thing", 1, [event()])])
    assert ok.versions == {a: 1, b: 2}


async def test_idempotency_record_is_written_with_the_events(store: EventStore) -> None:
    sid, key = unique("s-"), unique("key-")
    result = await store.append(
        [AppendStream(sid, "thing", NO_STREAM, [event()])], IdempotencyRecord(key, "hash-1", {"id": sid})
    )
    seen = await store.idempotency(key)
    assert seen is not None
    assert (seen.request_hash, seen.response) == ("hash-1", {"id": sid})
    assert seen.token == result.token(sid)
    with pytest.raises(DuplicateIdempotencyKeyError):
        await store.append(
            [AppendStream(unique("s-"), "thing", NO_STREAM, [event()])], IdempotencyRecord(key, "hash-1", {})
        )
    assert await store.idempotency(unique("nope-")) is None


async def test_several_idempotency_records_are_written_together_or_not_at_all(store: EventStore) -> None:
    sid, header, movement = unique("s-"), unique("key-"), unique("movement-")
    records = [IdempotencyRecord(header, "h-1", {"n": 1}), IdempotencyRecord(movement, "h-2", {"n": 2})]
    result = await store.append([AppendStream(sid, "thing", NO_STREAM, [event()])], records)
    for key, digest, n in ((header, "h-1", 1), (movement, "h-2", 2)):
        seen = await store.idempotency(key)
        assert seen is not None
        assert (seen.request_hash, seen.response, seen.token) == (digest, {"n": n}, result.token(sid))
    # One key of the second append is taken: nothing of it is written, and the error names that key.
    other, fresh = unique("s-"), unique("key-")
    with pytest.raises(DuplicateIdempotencyKeyError) as raised:
        await store.append(
            [AppendStream(other, "thing", NO_STREAM, [event()])],
            [IdempotencyRecord(fresh, "h", {}), IdempotencyRecord(movement, "h", {})],
        )
    assert raised.value.key == movement
    assert await store.read_stream(other) == [] and await store.idempotency(fresh) is None


async def test_a_failed_append_leaves_no_idempotency_record(store: EventStore) -> None:
    sid, key = unique("s-"), unique("key-")
    with pytest.raises(ConcurrencyError):
        await store.append([AppendStream(sid, "thing", 3, [event()])], IdempotencyRecord(key, "h", {}))
    assert await store.idempotency(key) is None


async def test_concurrent_appends_at_one_version_one_wins(store: EventStore) -> None:
    sid = unique("s-")
    await store.append([AppendStream(sid, "thing", NO_STREAM, [event()])])
    results = await asyncio.gather(
        *(store.append([AppendStream(sid, "thing", 1, [event(i)])]) for i in range(10)), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
    assert [e.version for e in await store.read_stream(sid)] == [1, 2]


async def test_read_up_to_a_version_or_a_moment(store: EventStore) -> None:
    sid = unique("s-")
    await store.append([AppendStream(sid, "thing", NO_STREAM, [event(1), event(2)])])
    middle = (await store.read_stream(sid))[-1].recorded_at
    await store.append([AppendStream(sid, "thing", 2, [event(3)])])
    assert [e.version for e in await store.read_stream(sid, to_version=2)] == [1, 2]
    assert [e.version for e in await store.read_stream(sid, 2, to_version=2)] == [2]
    assert [e.version for e in await store.read_stream(sid, as_of=middle)] == [1, 2]


async def test_snapshots_are_kept_per_version_and_the_latest_fitting_one_is_answered(store: EventStore) -> None:
    sid = unique("s-")
    assert await store.latest_snapshot(sid) is None
    await store.save_snapshot(Snapshot(sid, "thing", 5, 1, {"total": 5}))
    await store.save_snapshot(Snapshot(sid, "thing", 3, 1, {"total": 3}))  # older: kept beside it
    assert await store.latest_snapshot(sid) == Snapshot(sid, "thing", 5, 1, {"total": 5})
    assert await store.latest_snapshot(sid, max_version=4) == Snapshot(sid, "thing", 3, 1, {"total": 3})
    assert await store.latest_snapshot(sid, max_version=2) is None
    await store.save_snapshot(Snapshot(sid, "thing", 3, 1, {"total": 3, "again": True}))  # same version: replaced
    assert (await store.latest_snapshot(sid, max_version=3)).state == {"total": 3, "again": True}  # type: ignore[union-attr]
    await store.save_snapshot(Snapshot(sid, "thing", 4, 2, {"total": 4, "shape": "v2"}))  # a new schema: the others go
    assert await store.latest_snapshot(sid) == Snapshot(sid, "thing", 4, 2, {"total": 4, "shape": "v2"})
    assert await store.latest_snapshot(sid, max_version=3) is None


async def test_a_snapshot_answers_a_moment_by_its_event_s_recorded_time(store: EventStore) -> None:
    sid = unique("s-")
    await store.append([AppendStream(sid, "thing", NO_STREAM, [event(1), event(2)])])
    await store.append([AppendStream(sid, "thing", 2, [event(3), event(4)])])
    stored = await store.read_stream(sid)
    for version in (2, 4):
        await store.save_snapshot(Snapshot(sid, "thing", version, 1, {"total": version}))
    at = {e.version: e.recorded_at for e in stored}
    for version, moment in at.items():  # the highest snapshot whose event was recorded by then
        fitting = [v for v in (2, 4) if at[v] <= moment]
        answer = await store.latest_snapshot(sid, as_of=moment)
        assert (answer.version if answer else None) == (max(fitting) if fitting else None), version
    assert await store.latest_snapshot(sid, as_of=at[1] - timedelta(seconds=1)) is None
    assert (await store.latest_snapshot(sid, as_of=at[4])).version == 4  # type: ignore[union-attr]
    assert (await store.latest_snapshot(sid, max_version=3, as_of=at[4])).version == 2  # type: ignore[union-attr]


async def test_read_events_are_complete_valid_envelopes(store: EventStore) -> None:
    sid = unique("s-")
    sent = [event(1), event(2)]
    await store.append([AppendStream(sid, "thing", NO_STREAM, sent)])
    from_stream = await store.read_stream(sid)
    first = from_stream[0].position
    from_feed = [e for e in await store.read_all(first - 1, 10_000) if e.stream_id == sid]
    assert from_feed == from_stream
    for stored, new in zip(from_stream, sent, strict=True):
        # What a full validation of the same values gives: equal, same types, every field set.
        assert stored == EventEnvelope.model_validate(stored.model_dump())
        assert stored.model_fields_set == set(EventEnvelope.model_fields)
        assert isinstance(stored.event_id, UUID) and stored.event_id == new.event_id
        assert (stored.event_type, stored.schema_version, stored.data) == (new.event_type, 1, new.data)
        assert isinstance(stored.metadata, EventMetadata) and stored.metadata == new.metadata
        assert stored.metadata.model_fields_set == {"correlation_id", "actor"}
        assert isinstance(stored.recorded_at, datetime) and stored.recorded_at.utcoffset() == timedelta(0)
        with pytest.raises(ValidationError):
            stored.version = 99  # type: ignore[misc]


async def test_an_old_schema_version_is_read_as_stored_and_upcast_when_parsed(store: EventStore) -> None:
    # OrderConfirmed v1 (before customer_id): the store returns the stored v1 payload, never
    # rewritten; parse_event applies the upcaster and gives the current model (v2).
    sid, v1 = unique("ord-"), {"order_id": "ord-1", "confirmed_at": "2025-03-01T10:00:00Z"}
    confirmed = NewEvent(event_id=uuid4(), event_type="OrderConfirmed", schema_version=1, data=v1)
    await store.append([AppendStream(sid, "order", NO_STREAM, [confirmed])])
    stored = (await store.read_stream(sid))[0]
    fed = [e for e in await store.read_all(stored.position - 1, 1) if e.stream_id == sid]
    assert fed == [stored]
    assert (stored.schema_version, stored.data) == (1, v1)
    current = parse_event(stored.event_type, stored.schema_version, stored.data)
    assert isinstance(current, OrderConfirmed) and (current.order_id, current.customer_id) == ("ord-1", None)
    assert current_schema_version("OrderConfirmed") == 2


async def test_awkward_json_comes_back_as_it_went_in(store: EventStore) -> None:
    # Quotes, backslashes, braces and commas (what an array literal escapes), non-ASCII text,
    # nesting, nulls, big integers, in one command's several events and its idempotency answer.
    awkward: dict[str, object] = {
        "name": 'आशा "Asha" \\ {x}, [y]',
        "lines": [{"sku": "a,b", "qty": 2, "note": None}, {"sku": "}{", "qty": 0, "tags": []}],
        "paise": 9_007_199_254_740_993,
        "empty": {},
        "emoji": "₹ 🙏",
    }
    sid, key = unique("s-"), unique("k-")
    sent = [
        NewEvent(
            event_id=uuid4(),
            event_type="Happened",
            schema_version=1,
            data=awkward | {"n": n},
            metadata=EventMetadata(actor='कर्ता "q"', traceparent="\\\\"),
        )
        for n in range(3)
    ]
    await store.append([AppendStream(sid, "thing", NO_STREAM, sent)], IdempotencyRecord(key, "h", {"echo": awkward}))
    read = await store.read_stream(sid)
    assert [e.data for e in read] == [e.data for e in sent]
    assert [e.metadata for e in read] == [e.metadata for e in sent]
    stored = await store.idempotency(key)
    assert stored is not None and stored.response == {"echo": awkward}


async def test_a_counter_hands_out_blocks_that_follow_one_another_from_zero(store: EventStore) -> None:
    counter, other = unique("count-"), unique("count-")
    assert [await store.reserve(counter, 10), await store.reserve(counter, 5), await store.reserve(counter, 1)] == [
        0,
        10,
        15,
    ]
    assert await store.reserve(other, 3) == 0  # each counter on its own


async def test_concurrent_reservations_of_one_counter_never_share_a_number(store: EventStore) -> None:
    counter = unique("count-")
    firsts = await asyncio.gather(*(store.reserve(counter, 7) for _ in range(40)))
    numbers = [n for first in firsts for n in range(first, first + 7)]
    assert sorted(numbers) == list(range(40 * 7))  # disjoint, and no gap between them


async def test_a_block_of_no_numbers_is_refused(store: EventStore) -> None:
    with pytest.raises(ValueError, match="a block of 0"):
        await store.reserve(unique("count-"), 0)
