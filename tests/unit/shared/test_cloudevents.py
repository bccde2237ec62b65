"""Our Kafka records, read back by us and by the official CloudEvents SDK."""

from datetime import UTC, datetime
from uuid import uuid4

from cloudevents.core.bindings import kafka as ce_kafka

from shared.cloudevents import from_kafka, to_kafka
from shared.envelope import EventEnvelope, EventMetadata

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def envelope() -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid4(),
        stream_id="ord-42",
        stream_type="order",
        version=3,
        position=1234,
        event_type="OrderPlaced",
        schema_version=1,
        data={"order_id": "ord-42", "total_paise": 10_000},
        metadata=EventMetadata(
            correlation_id="corr-1", causation_id="cause-1", command_id="cmd-1", actor="user-9", traceparent=TRACEPARENT
        ),
        recorded_at=datetime(2026, 11, 28, 5, 30, 1, 123456, tzinfo=UTC),
    )


def test_round_trip_keeps_every_field() -> None:
    event = envelope()
    record = to_kafka(event, "/bahi/test")
    assert from_kafka(record.key, record.value, record.headers) == event


def test_the_official_sdk_reads_every_attribute_key_and_extension() -> None:
    event = envelope()
    record = to_kafka(event, "/bahi/test")
    message = ce_kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    parsed = ce_kafka.from_binary_event(message)
    assert parsed.get_specversion() == "1.0"
    assert parsed.get_id() == str(event.event_id)
    assert parsed.get_source() == "/bahi/test"
    assert parsed.get_type() == "in.bahi.commerce.OrderPlaced"
    assert parsed.get_subject() == "ord-42"
    assert parsed.get_time() == event.recorded_at
    assert parsed.get_datacontenttype() == "application/json"
    assert parsed.get_data() == event.data
    extensions = {name: parsed.get_extension(name) for name in parsed.get_attributes()}
    assert extensions["partitionkey"] == "ord-42"  # the Kafka key is the stream id
    assert extensions["streamtype"] == "order"
    assert extensions["streamversion"] == "3"
    assert extensions["position"] == "1234"
    assert extensions["schemaversion"] == "1"
    assert extensions["correlationid"] == "corr-1"
    assert extensions["causationid"] == "cause-1"
    assert extensions["traceparent"] == TRACEPARENT


def test_a_header_that_is_not_utf8_is_not_a_cloudevent() -> None:
    import pytest

    from shared.cloudevents import NotACloudEventError

    record = to_kafka(envelope(), "/bahi/test")
    with pytest.raises(NotACloudEventError):
        from_kafka(record.key, record.value, [*record.headers, ("ce_actor", b"\xff\xfe")])


def test_a_record_published_before_contexts_were_named_reads_as_the_same_event() -> None:
    """Topics keep records whose type is the bare `in.bahi.<type>`: replays still read them."""
    event = envelope()
    record = to_kafka(event, "/bahi/test")
    old_headers = [(name, b"in.bahi.OrderPlaced" if name == "ce_type" else value) for name, value in record.headers]
    assert ("ce_type", b"in.bahi.commerce.OrderPlaced") in record.headers
    assert from_kafka(record.key, record.value, old_headers) == from_kafka(record.key, record.value, record.headers)
    assert from_kafka(record.key, record.value, old_headers) == event
