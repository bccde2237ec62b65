"""The PostgreSQL adapter builds envelopes from its rows without pydantic's model machinery
(command_service/event_store/rows.py): what it returns must be what a validation returns,
and a row a validation would refuse must still be refused."""

from __future__ import annotations

import copy
import pickle
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from pydantic import ValidationError

from command_service.event_store import NO_STREAM, AppendStream
from command_service.event_store.postgres import EVENT_COLUMNS, PostgresEventStore
from command_service.event_store.rows import envelope, envelopes
from shared.envelope import EventEnvelope, EventMetadata, NewEvent
from tests.support.infra import unique

pytestmark = pytest.mark.integration

_INSERT = """INSERT INTO bahi_events
                 (event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata)
             VALUES ($1, $2, 'thing', $3, 'Happened', $4, $5, $6) RETURNING position"""


class _Rollback(Exception):
    pass


def _validated(row: asyncpg.Record) -> EventEnvelope:
    return EventEnvelope.model_validate({name: row[name] for name in EventEnvelope.model_fields})


async def test_envelopes_equal_validated_ones_whatever_the_column_order(pg_pool: asyncpg.Pool) -> None:
    sid = unique("s-")
    meta = EventMetadata(correlation_id="c", causation_id="k", command_id="k", actor="a", traceparent="00-x")
    events = [
        NewEvent(event_id=uuid4(), event_type="Happened", schema_version=1, data={"n": n, "l": [n]}, metadata=meta)
        for n in range(3)
    ]
    await PostgresEventStore(pg_pool).append([AppendStream(sid, "thing", NO_STREAM, events)])
    queries = [
        f"SELECT {EVENT_COLUMNS} FROM bahi_events WHERE stream_id = $1 ORDER BY version",
        f"SELECT {EVENT_COLUMNS}, tx_id::text AS tx FROM bahi_events WHERE stream_id = $1 ORDER BY version",
        "SELECT recorded_at, metadata, data, tx_id::text AS tx, schema_version, event_type, position, version,"
        " stream_type, stream_id, event_id FROM bahi_events WHERE stream_id = $1 ORDER BY version",
    ]
    for query in queries:
        rows = await pg_pool.fetch(query, sid)
        expected = [_validated(row) for row in rows]
        for built in (envelopes(rows), [envelope(row) for row in rows]):
            assert built == expected
            assert [e.model_dump_json() for e in built] == [e.model_dump_json() for e in expected]
            assert [e.model_fields_set for e in built] == [e.model_fields_set for e in expected]
            assert [e.metadata.model_fields_set for e in built] == [e.metadata.model_fields_set for e in expected]
            assert [type(e.event_id) for e in built] == [type(e.event_id) for e in expected]


@pytest.mark.parametrize(
    ("version", "schema_version", "data", "metadata", "model", "field"),
    [
        (1, 1, [1, 2], {}, "EventEnvelope", "data"),
        (1, 1, "text", {}, "EventEnvelope", "data"),
        (0, 1, {}, {}, "EventEnvelope", "version"),
        (1, 0, {}, {}, "EventEnvelope", "schema_version"),
        (1, 1, {}, {"actor": 5}, "EventMetadata", "actor"),
        (1, 1, {}, [], "EventMetadata", ""),
    ],
)
async def test_a_row_a_validation_refuses_is_refused(
    pg_pool: asyncpg.Pool, version: int, schema_version: int, data: Any, metadata: Any, model: str, field: str
) -> None:
    sid = unique("bad-")
    async with pg_pool.acquire() as conn:
        with pytest.raises(_Rollback):
            async with conn.transaction():
                position = await conn.fetchval(_INSERT, uuid4(), sid, version, schema_version, data, metadata)
                store = PostgresEventStore(conn)
                for read in (store.read_stream(sid, 0), store.read_all(position - 1, 1)):
                    with pytest.raises(ValidationError) as caught:
                        await read
                    assert caught.value.title == model
                    assert field in {".".join(str(part) for part in e["loc"]) for e in caught.value.errors()}
                raise _Rollback


@pytest.mark.parametrize("metadata", [{}, {"actor": None}, {"actor": "a", "tenant": "t"}, {"traceparent": "00-x"}])
async def test_unusual_but_valid_metadata_reads_as_a_validation_reads_it(
    pg_pool: asyncpg.Pool, metadata: dict[str, Any]
) -> None:
    sid = unique("odd-")
    async with pg_pool.acquire() as conn:
        with pytest.raises(_Rollback):
            async with conn.transaction():
                position = await conn.fetchval(_INSERT, uuid4(), sid, 1, 1, {"k": [1]}, metadata)
                [built] = await PostgresEventStore(conn).read_all(position - 1, 1)
                [row] = await conn.fetch(f"SELECT {EVENT_COLUMNS} FROM bahi_events WHERE position = $1", position)
                expected = _validated(row)
                assert built == expected and built.model_dump_json() == expected.model_dump_json()
                assert built.metadata.model_fields_set == expected.metadata.model_fields_set
                raise _Rollback


async def test_shared_fields_sets_are_read_only_and_copies_are_free(pg_pool: asyncpg.Pool) -> None:
    sid = unique("s-")
    store = PostgresEventStore(pg_pool)
    new = [NewEvent(event_id=uuid4(), event_type="Happened", schema_version=1, data={"n": n}) for n in range(2)]
    await store.append([AppendStream(sid, "thing", NO_STREAM, new)])
    first, second = await store.read_stream(sid)
    with pytest.raises(TypeError):
        first.model_fields_set.add("x")
    with pytest.raises(ValidationError):
        first.version = 7  # type: ignore[misc]
    changed = first.model_copy(update={"version": 9})
    assert changed.version == 9 and changed.model_fields_set == set(EventEnvelope.model_fields)
    changed.model_fields_set.add("x")  # a copy's set is its own
    assert "x" not in second.model_fields_set and "x" not in first.model_fields_set
    assert copy.deepcopy(first) == first and pickle.loads(pickle.dumps(first)) == first
    assert first.model_dump(exclude_unset=True) == {**first.model_dump(), "metadata": {}}  # nothing was set in it
