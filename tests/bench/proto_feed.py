"""Prototypes (not the product) for reading the feed: an envelope built from a row the
store itself wrote without re-validating it, and a garbage-collector setting for the
processes that read the feed (relay, rebuilds)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from shared.envelope import EventEnvelope, EventMetadata

_ENVELOPE_FIELDS = tuple(EventEnvelope.model_fields)
_METADATA_DEFAULTS = {name: None for name in EventMetadata.model_fields}
_new = object.__new__
_set = object.__setattr__


def trusted_envelope(row: asyncpg.Record) -> EventEnvelope:
    """What `envelope` returns, without pydantic re-validating values the schema already
    guarantees (types by column, version/position >= 1 by bahi_append and the identity).
    Equivalent to model_construct, minus its generic Python overhead. Relies on the
    SELECT listing the columns in the envelope's field order."""
    meta = _new(EventMetadata)
    _set(meta, "__dict__", _METADATA_DEFAULTS | row["metadata"])
    _set(meta, "__pydantic_fields_set__", set(row["metadata"]))
    _set(meta, "__pydantic_extra__", None)
    _set(meta, "__pydantic_private__", None)
    values = dict(zip(_ENVELOPE_FIELDS, row, strict=False))
    values["metadata"] = meta
    env = _new(EventEnvelope)
    _set(env, "__dict__", values)
    _set(env, "__pydantic_fields_set__", set(_ENVELOPE_FIELDS))
    _set(env, "__pydantic_extra__", None)
    _set(env, "__pydantic_private__", None)
    return env


@contextmanager
def gc_tuned() -> Iterator[None]:
    """Prototype of a process setting (relay / rebuild entry points): the cyclic collector
    runs every 700 net container allocations by default, and a page of 1000-2000 events
    held in a list makes ~5 containers per event survive: collections run every ~150
    events and keep promoting the page. Freeze what start-up allocated, collect rarely."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
