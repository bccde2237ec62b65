"""What the projector consumes: a record with its coordinates, decoded once, never raising.

A record that cannot be decoded is kept with its error (it will be parked), so one
bad message can never stop a batch. Decoding validates the same CloudEvents
attributes as `shared.cloudevents.from_kafka` (a unit test holds them equal) but
in one pydantic validation of a plain dict, which is much cheaper: a rebuild
decodes every event of a topic.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from shared.cloudevents import NotACloudEventError, event_type_of, to_kafka
from shared.envelope import EventEnvelope

Headers = tuple[tuple[str, bytes], ...]

STORE_TOPIC = "bahi_events"  # coordinates of events read from the event store: (table, 0, position)
_STORE_SOURCE = "/bahi/projector/store-feed"


@dataclass(frozen=True, slots=True)
class Coordinates:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Incoming:
    """One consumed record: `env` when it decoded, else `error`."""

    coords: Coordinates
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int
    env: EventEnvelope | None
    error: Exception | None = None

    @property
    def stream_id(self) -> str | None:
        """The stream, even for a record that did not decode: the Kafka key is the stream id."""
        if self.env is not None:
            return self.env.stream_id
        if self.key:
            return self.key.decode(errors="replace")
        subject = _header(self.headers, "ce_subject")
        return subject.decode(errors="replace") if subject is not None else None


_METADATA = (
    ("correlation_id", "ce_correlationid"),
    ("causation_id", "ce_causationid"),
    ("command_id", "ce_commandid"),
    ("actor", "ce_actor"),
    ("traceparent", "ce_traceparent"),
)


def decode(key: bytes | None, value: bytes | None, headers: Headers) -> EventEnvelope:
    """The envelope of a Bahi CloudEvent (binary mode), or NotACloudEventError."""
    try:
        attrs = dict(headers)  # only the attributes used are decoded: this runs for every event of a rebuild
        return EventEnvelope.model_validate(
            {
                "event_id": attrs["ce_id"].decode(),
                "stream_id": attrs["ce_subject"].decode(),
                "stream_type": attrs["ce_streamtype"].decode(),
                "version": attrs["ce_streamversion"].decode(),
                "position": attrs["ce_position"].decode(),
                "event_type": event_type_of(attrs["ce_type"].decode()),
                "schema_version": attrs["ce_schemaversion"].decode(),
                "data": orjson.loads(value) if value is not None else None,
                "metadata": {name: attrs[header].decode() for name, header in _METADATA if header in attrs},
                "recorded_at": attrs["ce_time"].decode(),
            }
        )
    except KeyError as exc:
        raise NotACloudEventError(f"not a Bahi CloudEvent: no {exc.args[0]} header") from exc
    except (ValueError, AttributeError, orjson.JSONDecodeError) as exc:  # ValidationError is a ValueError
        raise NotACloudEventError(f"not a Bahi CloudEvent: {exc}") from exc


def from_record(record: Any) -> Incoming:
    """An aiokafka ConsumerRecord, decoded."""
    headers: Headers = tuple(record.headers)
    coords = Coordinates(record.topic, record.partition, record.offset)
    try:
        env = decode(record.key, record.value, headers)
    except Exception as exc:  # anything a malformed record raises is its error, not ours
        return Incoming(coords, record.key, record.value, headers, record.timestamp, None, exc)
    return Incoming(coords, record.key, record.value, headers, record.timestamp, env)


class SharedDecoder:
    """Decodes a record once for every projection of the process: each projection consumes the
    topics under its own group, so the same record arrives once per projection that reads it.

    Keyed by the record's coordinates and checked against its bytes (a topic deleted and made
    again reuses offsets), at most `size` records remembered (the oldest forgotten first). An
    `Incoming` and its envelope are immutable, so projections can share them."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        # Ordered: the oldest goes first in O(1) (a dict's first key after many deletions from its
        # front is found by scanning past every deleted slot).
        self._seen: OrderedDict[tuple[str, int, int], Incoming] = OrderedDict()

    def __call__(self, record: Any) -> Incoming:
        coords = (record.topic, record.partition, record.offset)
        hit = self._seen.get(coords)
        if hit is not None and hit.value == record.value and hit.key == record.key:
            return hit
        item = from_record(record)
        self._seen[coords] = item
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return item


def from_store(env: EventEnvelope) -> Incoming:
    """An event read from the event store, shaped as the record the relay would publish."""
    record = to_kafka(env, _STORE_SOURCE)
    timestamp_ms = int(env.recorded_at.timestamp() * 1000)
    coords = Coordinates(STORE_TOPIC, 0, env.position)
    return Incoming(coords, record.key, record.value, tuple(record.headers), timestamp_ms, env)


def redecode(item: Incoming) -> Incoming:
    """The same record decoded again by the code running now (after a fix)."""
    try:
        env = decode(item.key, item.value, item.headers)
    except Exception as exc:
        return Incoming(item.coords, item.key, item.value, item.headers, item.timestamp_ms, None, exc)
    return Incoming(item.coords, item.key, item.value, item.headers, item.timestamp_ms, env)


def _header(headers: Headers, name: str) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None
