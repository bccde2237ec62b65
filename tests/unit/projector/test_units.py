"""The projector's pure parts: decoding records, planning a batch around parked streams,
the rebuild's document cache, the CLI's surface. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from projector_service.cli import app
from projector_service.dead_letters.parking import FAILED, HELD, Head, is_held, item_id
from projector_service.engine.batch import plan, rejected_entries
from projector_service.engine.documents import DocCache
from projector_service.engine.records import (
    Coordinates,
    Incoming,
    SharedDecoder,
    decode,
    from_record,
    from_store,
    redecode,
)
from shared.cloudevents import NotACloudEventError, from_kafka, to_kafka
from shared.envelope import EventEnvelope
from tests.support.histories import history

EVENTS = history(30, products=5, seed=3, tag="u")


@dataclass
class Record:  # the fields of an aiokafka ConsumerRecord the projector reads
    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


def record(env: EventEnvelope, offset: int, **changes: object) -> Record:
    kafka = to_kafka(env, "/bahi/test")
    fields: dict[str, object] = {"key": kafka.key, "value": kafka.value, "headers": kafka.headers, **changes}
    return Record("t", 0, offset, 1_700_000_000_000, **fields)  # type: ignore[arg-type]


def test_decoding_agrees_with_the_shared_cloudevents_mapping() -> None:
    for env in EVENTS:
        kafka = to_kafka(env, "/bahi/test")
        assert decode(kafka.key, kafka.value, tuple(kafka.headers)) == from_kafka(kafka.key, kafka.value, kafka.headers)
        assert decode(kafka.key, kafka.value, tuple(kafka.headers)) == env


def test_the_shared_decoder_decodes_a_record_once_for_every_projection_and_checks_its_bytes() -> None:
    decoder = SharedDecoder(size=3)
    first = decoder(record(EVENTS[0], 1))
    assert decoder(record(EVENTS[0], 1)) is first  # another projection's copy of the same record
    assert first == from_record(record(EVENTS[0], 1))
    other = decoder(record(EVENTS[1], 1))  # same coordinates, other bytes: a topic made again
    assert other is not first and other.env == EVENTS[1]
    for offset in (2, 3, 4):
        decoder(record(EVENTS[offset], offset))
    assert decoder(record(EVENTS[1], 1)) is not other  # forgotten: at most `size` remembered
    bad = record(EVENTS[5], 9, value=b"{not json")
    assert decoder(bad).error is not None and decoder(bad).env is None


@pytest.mark.parametrize(
    "changes",
    [
        {"value": b"{not json"},
        {"value": None},
        {"value": b"[1, 2]"},
        {"headers": [("ce_type", b"\xff\xfe")]},
        {"headers": []},
        {"headers": [(n, b"0" if n == "ce_streamversion" else v) for n, v in to_kafka(EVENTS[0], "/x").headers]},
    ],
    ids=["bad-json", "tombstone", "not-an-object", "not-utf8", "no-headers", "version-0"],
)
def test_a_malformed_record_keeps_its_error_and_its_stream(changes: dict[str, object]) -> None:
    item = from_record(record(EVENTS[0], 7, **changes))
    assert item.env is None and isinstance(item.error, NotACloudEventError)
    assert item.stream_id == EVENTS[0].stream_id  # from the key
    assert redecode(item).error is not None


def test_the_stream_of_a_keyless_record_comes_from_its_subject() -> None:
    item = from_record(record(EVENTS[0], 1, key=None, value=b"garbage"))
    assert item.env is None and item.stream_id == EVENTS[0].stream_id


def items_of(events: list[EventEnvelope]) -> list[Incoming]:
    return [from_record(record(env, offset)) for offset, env in enumerate(events)]


def test_plan_parks_a_bad_record_and_every_later_record_of_its_stream_only() -> None:
    items = items_of(EVENTS[:40])
    stream = items[10].stream_id
    items[10] = from_record(record(EVENTS[10], 10, value=b"{bad"))
    fresh, parked = plan(items, {}, "c")
    later_of_stream = [i for i in range(11, 40) if items[i].stream_id == stream]
    assert [i for i, _ in parked] == [10, *later_of_stream]
    assert parked[0][1].status == FAILED and all(entry.status == HELD for _, entry in parked[1:])
    assert all(entry.behind == item_id("c", items[10]) for _, entry in parked[1:])
    assert fresh == [i for i in range(40) if i not in {10, *later_of_stream}]


def test_records_before_a_parked_head_flow_and_later_ones_wait() -> None:
    items = items_of(EVENTS[:40])
    stream = items[12].stream_id
    assert stream is not None
    head = Head("h", items[12].env.version if items[12].env else None, items[12].coords)
    fresh, parked = plan(items, {stream: head}, "c")
    held = {i for i, _ in parked}
    assert held == {i for i in range(12, 40) if items[i].stream_id == stream}
    assert {i for i in range(12) if items[i].stream_id == stream} <= set(fresh)


def test_held_is_decided_by_offset_on_the_same_partition_and_by_version_across_sources() -> None:
    env = EVENTS[5]
    head = Head("h", env.version, Coordinates("t", 0, 100))
    assert is_held(head, from_record(record(env, 100))) and not is_held(head, from_record(record(env, 99)))
    from_the_store = from_store(env)  # other coordinates: the stream version decides
    assert is_held(head, from_the_store)
    assert not is_held(Head("h", env.version + 1, Coordinates("t", 0, 100)), from_the_store)


def test_rejected_entries_are_held_behind_the_first_failure_of_their_stream() -> None:
    items = items_of(EVENTS[:12])
    stream_events = [i for i, item in enumerate(items) if item.stream_id == items[0].stream_id]
    fresh = list(range(12))
    entries = rejected_entries(items, fresh, {stream_events[0]: ValueError("bug")}, stream_events[1:], "c")
    assert entries[0][1].status == FAILED and "ValueError: bug" in (entries[0][1].error or "")
    assert {entry.behind for _, entry in entries[1:]} == {item_id("c", items[stream_events[0]])}


def test_the_rebuild_cache_answers_misses_only_while_complete() -> None:
    cache = DocCache(max_docs=4)
    cache.put([{"_id": "a", "version": 1}, {"_id": "b", "version": 1}])
    assert cache.split(["a", "x"]) == ({"a": {"_id": "a", "version": 1}}, [])  # x is known to be absent
    cache.put([{"_id": str(n), "version": 1} for n in range(5)])  # over the limit: half forgotten
    assert not cache.complete
    known, unknown = cache.split(["a", "4"])
    assert "4" in known and unknown == ["a"]
    cache.disable()
    cache.put([{"_id": "z", "version": 1}])
    assert cache.split(["z"]) == ({}, ["z"])


def test_the_cli_lists_its_commands_and_refuses_unknown_projections() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0
    for command in ("rebuild", "status", "parked", "serve"):
        assert command in listed.output
    assert {"list", "redrive", "skip"} <= set(runner.invoke(app, ["parked", "--help"]).output.split())
    unknown = runner.invoke(app, ["parked", "redrive", "no_such_view"])
    assert unknown.exit_code != 0 and "unknown projection" in unknown.output
    assert runner.invoke(app, ["rebuild"]).exit_code != 0  # a projection or --all
