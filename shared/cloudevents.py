"""CloudEvents 1.0 Kafka protocol binding, binary mode: our envelope <-> a Kafka record.

The value is the event data as JSON; attributes travel as `ce_*` headers, with
extension attributes for the stream version, global position, schema version,
correlation and causation ids and the W3C traceparent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from shared.envelope import EventEnvelope, EventMetadata
from shared.events.registry import CE_TYPE_PREFIX, EVENTS

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
TYPE_PREFIX = CE_TYPE_PREFIX

# CloudEvents extension names: lower-case letters and digits only.
_EXT_STREAM_TYPE = "streamtype"
_EXT_VERSION = "streamversion"
_EXT_POSITION = "position"
_EXT_SCHEMA = "schemaversion"
_EXT_CORRELATION = "correlationid"
_EXT_CAUSATION = "causationid"
_EXT_COMMAND = "commandid"
_EXT_ACTOR = "actor"
_EXT_TRACEPARENT = "traceparent"
TRACEPARENT_HEADER = "ce_" + _EXT_TRACEPARENT
"""The header of the W3C traceparent of the command that stored the event (its trace's origin)."""


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


_METADATA_EXTENSIONS = (
    ("correlation_id", "ce_" + _EXT_CORRELATION),
    ("causation_id", "ce_" + _EXT_CAUSATION),
    ("command_id", "ce_" + _EXT_COMMAND),
    ("actor", "ce_" + _EXT_ACTOR),
    ("traceparent", TRACEPARENT_HEADER),
)
_SPEC = SPEC_VERSION.encode()
_CONTENT = CONTENT_TYPE.encode()


def kafka_record(
    *,
    event_id: str,
    stream_id: str,
    stream_type: str,
    version: int,
    position: int,
    event_type: str,
    schema_version: int,
    data: Any,
    metadata: Mapping[str, Any],
    recorded_at: datetime | str,
    source: bytes,
) -> KafkaRecord:
    """The record of one stored event, from its plain fields (the relay's hot path: no envelope).
    `data` may come as JSON text already, `recorded_at` already formatted as the CloudEvents time."""
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", _SPEC),
        ("ce_id", event_id.encode()),
        ("ce_source", source),
        ("ce_type", EVENTS.ce_type(event_type).encode()),
        ("ce_time", (recorded_at if isinstance(recorded_at, str) else _iso(recorded_at)).encode()),
        ("ce_subject", stream_id.encode()),
        ("content-type", _CONTENT),
        ("ce_" + _EXT_STREAM_TYPE, stream_type.encode()),
        ("ce_" + _EXT_VERSION, str(version).encode()),
        ("ce_" + _EXT_POSITION, str(position).encode()),
        ("ce_" + _EXT_SCHEMA, str(schema_version).encode()),
    ]
    headers.extend(
        (header, str(metadata[name]).encode()) for name, header in _METADATA_EXTENSIONS if metadata.get(name)
    )
    value = data.encode() if isinstance(data, str) else orjson.dumps(data)
    return KafkaRecord(key=stream_id.encode(), value=value, headers=headers)


def to_kafka(event: EventEnvelope, source: str) -> KafkaRecord:
    return kafka_record(
        event_id=str(event.event_id),
        stream_id=event.stream_id,
        stream_type=event.stream_type,
        version=event.version,
        position=event.position,
        event_type=event.event_type,
        schema_version=event.schema_version,
        data=event.data,
        metadata=event.metadata.model_dump(),
        recorded_at=event.recorded_at,
        source=source.encode(),
    )


class NotACloudEventError(ValueError):
    """A Kafka record that lacks the CloudEvents attributes we need."""


def from_kafka(
    key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...]
) -> EventEnvelope:
    try:
        attrs = {name: raw.decode() for name, raw in headers}
        event_type = attrs["ce_type"]
        return EventEnvelope(
            event_id=UUID(attrs["ce_id"]),
            stream_id=attrs["ce_subject"],
            stream_type=attrs["ce_" + _EXT_STREAM_TYPE],
            version=int(attrs["ce_" + _EXT_VERSION]),
            position=int(attrs["ce_" + _EXT_POSITION]),
            event_type=event_type_of(event_type),
            schema_version=int(attrs["ce_" + _EXT_SCHEMA]),
            data=orjson.loads(value),
            metadata=EventMetadata(
                correlation_id=attrs.get("ce_" + _EXT_CORRELATION),
                causation_id=attrs.get("ce_" + _EXT_CAUSATION),
                command_id=attrs.get("ce_" + _EXT_COMMAND),
                actor=attrs.get("ce_" + _EXT_ACTOR),
                traceparent=attrs.get(TRACEPARENT_HEADER),
            ),
            recorded_at=datetime.fromisoformat(attrs["ce_time"]),
        )
    except (KeyError, ValueError, UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise NotACloudEventError(f"not a Bahi CloudEvent: {exc}") from exc


def event_type_of(ce_type: str) -> str:
    """The stored event type of a CloudEvents `type`: `in.bahi.<context>.<type>`, or the bare
    `in.bahi.<type>` of records published before contexts were named."""
    return ce_type.rpartition(".")[2]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
