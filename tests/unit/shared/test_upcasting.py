"""Upcasting: OrderConfirmed v1 (before customer_id) is read as the current v2; stored rows stay v1."""

from uuid import uuid4

import pytest

from command_service.event_store import NO_STREAM, AppendStream
from command_service.event_store.memory import InMemoryEventStore
from shared.commerce.events import OrderConfirmed
from shared.envelope import EventMetadata, NewEvent
from shared.events import UnknownEventError, current_schema_version, parse_event

V1 = {"order_id": "ord-1", "confirmed_at": "2025-03-01T10:00:00Z"}


def test_a_v1_payload_is_read_as_the_current_model() -> None:
    assert current_schema_version("OrderConfirmed") == 2
    event = parse_event("OrderConfirmed", 1, dict(V1))
    assert isinstance(event, OrderConfirmed)
    assert (event.order_id, event.customer_id) == ("ord-1", None)
    current = parse_event("OrderConfirmed", 2, {**V1, "customer_id": "c-9"})
    assert isinstance(current, OrderConfirmed) and current.customer_id == "c-9"


def test_a_version_newer_than_the_code_is_refused() -> None:
    with pytest.raises(UnknownEventError):
        parse_event("OrderConfirmed", 3, dict(V1))


async def test_stored_v1_rows_are_never_rewritten() -> None:
    store = InMemoryEventStore()
    await store.append(
        [
            AppendStream(
                "ord-1",
                "order",
                NO_STREAM,
                [
                    NewEvent(
                        event_id=uuid4(),
                        event_type="OrderConfirmed",
                        schema_version=1,
                        data=dict(V1),
                        metadata=EventMetadata(),
                    )
                ],
            )
        ]
    )
    stored = (await store.read_stream("ord-1"))[0]
    assert (stored.schema_version, stored.data) == (1, V1)
    upcast = parse_event(stored.event_type, stored.schema_version, stored.data)
    assert isinstance(upcast, OrderConfirmed) and upcast.customer_id is None
    assert (await store.read_stream("ord-1"))[0].data == V1
