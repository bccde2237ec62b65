"""CloudEvents 1.0 Kafka protocol binding, binary mode: our envelope <-> a Kafka record.

The value is the event data as JSON; attributes travel as `ce_*` headers, with
extension attributes for the stream version, global position, schema version,
correlation and causation ids and the W3C traceparent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import orjson

from shared.envelope import EventEnvelope, EventMetadata

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
TYPE_PREFIX = "in.bahi."

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


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def to_kafka(event: EventEnvelope, source: str) -> KafkaRecord:
    meta = event.metadata
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", str(event.event_id).encode()),
        ("ce_source", source.encode()),
        ("ce_type", (TYPE_PREFIX + event.event_type).encode()),
        ("ce_time", _iso(event.recorded_at).encode()),
        ("ce_subject", event.stream_id.encode()),
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_" + _EXT_STREAM_TYPE, event.stream_type.encode()),
        ("ce_" + _EXT_VERSION, str(event.version).encode()),
        ("ce_" + _EXT_POSITION, str(event.position).encode()),
        ("ce_" + _EXT_SCHEMA, str(event.schema_version).encode()),
    ]
    optional = {
        _EXT_CORRELATION: meta.correlation_id,
        _EXT_CAUSATION: meta.causation_id,
        _EXT_COMMAND: meta.command_id,
        _EXT_ACTOR: meta.actor,
        _EXT_TRACEPARENT: meta.traceparent,
    }
    headers.extend(("ce_" + name, value.encode()) for name, value in optional.items() if value)
    return KafkaRecord(key=event.stream_id.encode(), value=orjson.dumps(event.data), headers=headers)


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
            event_type=event_type.removeprefix(TYPE_PREFIX),
            schema_version=int(attrs["ce_" + _EXT_SCHEMA]),
            data=orjson.loads(value),
            metadata=EventMetadata(
                correlation_id=attrs.get("ce_" + _EXT_CORRELATION),
                causation_id=attrs.get("ce_" + _EXT_CAUSATION),
                command_id=attrs.get("ce_" + _EXT_COMMAND),
                actor=attrs.get("ce_" + _EXT_ACTOR),
                traceparent=attrs.get("ce_" + _EXT_TRACEPARENT),
            ),
            recorded_at=datetime.fromisoformat(attrs["ce_time"]),
        )
    except (KeyError, ValueError, UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise NotACloudEventError(f"not a Bahi CloudEvent: {exc}") from exc


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
