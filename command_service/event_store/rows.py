"""Rows of `bahi_events` -> `EventEnvelope`s: the read path's hot loop (the feed, streams, the relay).

The rows come from our own table, written through `bahi_append` from validated
`NewEvent`s, and the column types already guarantee most of the envelope (uuid, text,
bigint, timestamptz, read as such: the SELECT must list the columns, not casts of
them). So an envelope is assembled from the row without pydantic's model machinery,
after cheap checks of what the schema does not guarantee: positive versions and
positions, a JSON object as data, metadata an object of known keys with string values.
A row that fails a check goes through pydantic's validation, which raises what it
always raised. The result is what a validation returns: an equal `EventEnvelope`, the
same fields set, the same dump.

What made the validated path slow was less the checks than the objects: per row a
fresh set of the ten field names and one for the metadata keys (each a GC-tracked
allocation), and the collector scanning them. Both models are frozen, so pydantic
never changes `model_fields_set` in place; the sets here are shared, read-only (a
copy, as `model_copy` makes, is a plain set). A page is built with the cyclic
collector paused: nothing built here forms a cycle, allocations still count, and one
collection runs once the page is done instead of one every ~150 rows.

What it buys: reading stored events (`read_all`, and `read_stream` when loading
aggregates) costs little more per row than the driver's own records, instead of a
pydantic validation and the collector's scans of every page. `python -m tests.bench.bench_feed` re-measures it:
read_all against raw asyncpg pages of the same query in the same run, and (realistic
rows) the cost per row of this path next to pydantic's validated and constructed ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, NoReturn

import asyncpg
from pydantic import BaseModel

from shared.envelope import EventEnvelope, EventMetadata
from shared.tuning import collector_paused

if not (EventEnvelope.model_config.get("frozen") and EventMetadata.model_config.get("frozen")):
    raise RuntimeError("rows.py shares model_fields_set between envelopes: only sound for frozen models")

FIELDS = tuple(EventEnvelope.model_fields)
"""The envelope's fields, in the order of the store's SELECT lists (`EVENT_COLUMNS`)."""


class _SharedFieldsSet(set[str]):
    """A `model_fields_set` shared by many models: refuses changes; copies are plain sets."""

    __slots__ = ()

    def _refuse(self, *_: object) -> NoReturn:
        raise TypeError("model_fields_set of a stored event is shared and read-only")

    add = discard = remove = pop = clear = _refuse
    update = difference_update = intersection_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: object) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[type[set[str]], tuple[list[str]]]:
        return set, (list(self),)

    def __repr__(self) -> str:
        return repr(set(self))


_ALL_FIELDS = _SharedFieldsSet(FIELDS)
_META_KEYS = frozenset(EventMetadata.model_fields)
_META_DEFAULTS: dict[str, Any] = {name: field.default for name, field in EventMetadata.model_fields.items()}
_meta_sets: dict[tuple[str, ...], _SharedFieldsSet] = {}
"""Per tuple of metadata keys (subsets of five names in jsonb's fixed order: bounded)."""
_new = object.__new__


def _slot_setter(name: str) -> Any:
    """The C-level setter of a pydantic model's slot, looked up once: calling it per row skips
    `object.__setattr__`'s attribute lookup. Both models take it from `BaseModel`."""
    owners = [klass for klass in EventEnvelope.__mro__ if name in vars(klass)]
    if owners[:1] != [BaseModel] or [k for k in EventMetadata.__mro__ if name in vars(k)][:1] != [BaseModel]:
        raise RuntimeError(f"rows.py expects {name} to be a slot of pydantic's BaseModel")
    return vars(BaseModel)[name].__set__


_set_dict = _slot_setter("__dict__")
_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")


def envelope(row: asyncpg.Record) -> EventEnvelope:
    """One row (a mapping with the envelope's fields, maybe more) as an envelope."""
    return _build(
        (
            row["event_id"],
            row["stream_id"],
            row["stream_type"],
            row["version"],
            row["position"],
            row["event_type"],
            row["schema_version"],
            row["data"],
            row["metadata"],
            row["recorded_at"],
        )
    )


def envelopes(rows: Sequence[asyncpg.Record]) -> list[EventEnvelope]:
    """A page of rows as envelopes, in order."""
    if not rows:
        return []
    values: Iterable[Any]
    first = rows[0]
    if isinstance(first, asyncpg.Record) and tuple(first.keys()) == FIELDS:
        values = rows  # the SELECT lists exactly the envelope's fields, in order: read by position
    elif isinstance(first, asyncpg.Record) and tuple(islice(first.keys(), len(FIELDS))) == FIELDS:
        values = (row[: len(FIELDS)] for row in rows)  # ... and more columns after them: one tuple at a time
    else:
        values = [tuple(row[name] for name in FIELDS) for row in rows]
    with collector_paused():
        return [_build(v) for v in values]


def _build(row: Any) -> EventEnvelope:
    (event_id, stream_id, stream_type, version, position, event_type, schema_version, data, metadata, recorded_at) = row
    if type(data) is not dict or version < 1 or position < 1 or schema_version < 1:
        return EventEnvelope.model_validate(dict(zip(FIELDS, row, strict=False)))
    env: EventEnvelope = _new(EventEnvelope)
    _set_dict(
        env,
        {
            "event_id": event_id,
            "stream_id": stream_id,
            "stream_type": stream_type,
            "version": version,
            "position": position,
            "event_type": event_type,
            "schema_version": schema_version,
            "data": data,
            "metadata": _metadata(metadata),
            "recorded_at": recorded_at,
        },
    )
    _set_fields_set(env, _ALL_FIELDS)
    _set_extra(env, None)
    _set_private(env, None)
    return env


def _metadata(value: Any) -> EventMetadata:
    if type(value) is dict:
        keys = tuple(value)
        fields_set = _meta_sets.get(keys)
        if fields_set is None and value.keys() <= _META_KEYS:
            fields_set = _meta_sets.setdefault(keys, _SharedFieldsSet(keys))
        if fields_set is not None:
            for item in value.values():
                if type(item) is not str:
                    break
            else:
                meta: EventMetadata = _new(EventMetadata)
                _set_dict(meta, _META_DEFAULTS | value)
                _set_fields_set(meta, fields_set)
                _set_extra(meta, None)
                _set_private(meta, None)
                return meta
    return EventMetadata.model_validate(value)


class MetadataJson:
    """Events' metadata as stored (None fields left out), dumped once per metadata object of an
    append: the events of one command share theirs."""

    def __init__(self) -> None:
        self._dumped: dict[int, tuple[EventMetadata, dict[str, Any]]] = {}

    def __call__(self, metadata: EventMetadata) -> dict[str, Any]:
        hit = self._dumped.get(id(metadata))
        if hit is None or hit[0] is not metadata:
            hit = self._dumped[id(metadata)] = (metadata, metadata.model_dump(exclude_none=True))
        return hit[1]
