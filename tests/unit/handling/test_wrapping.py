"""Wrapping decided events for the store without validating them again (`handling.wrapping`): the
result is the `NewEvent` validation gives, with the decided event kept for the cache."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from command_service.handling import new_events
from command_service.handling.wrapping import decided, with_reason, wrap
from shared.envelope import EventMetadata, NewEvent
from shared.upi.events import UpiPaymentSent, UpiRrnClaimed
from shared.upi.values import LinkType

NOW = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
META = EventMetadata(actor="staff-1", command_id="c-1", reason="UPI 612345678901 to payee@bahi")
SENT = UpiPaymentSent(
    payment_id="up-1",
    rrn="612345678901",
    payer_vpa="payer@bahi",
    payee_vpa="payee@bahi",
    amount_paise=125,
    note="rent",
    p2p=True,
    in_new_vpa_window=False,
    payer_link_type=LinkType.ACCOUNT,
    payer_link_id="acc-1",
    payer_customer_id="cust-1",
    payee_link_type=LinkType.WALLET,
    payee_link_id="wal-1",
    payee_customer_id="cust-2",
    occurred_at=NOW,
)


def test_a_wrapped_event_equals_the_validated_one_and_dumps_the_same() -> None:
    new = wrap(SENT, META)
    validated = NewEvent(
        event_id=new.event_id,
        event_type="UpiPaymentSent",
        schema_version=SENT.schema_version,
        data=SENT.model_dump(mode="json"),
        metadata=META,
    )
    validated._decided = SENT  # as a handler once set it on a validated one
    assert new == validated
    assert new.model_dump(mode="json") == validated.model_dump(mode="json")
    assert new.model_fields_set == validated.model_fields_set
    assert new.data["occurred_at"] == "2026-11-02T05:00:00Z"  # JSON mode, as stored
    assert isinstance(new.event_id, UUID) and new.event_id.version == 4


def test_the_decided_event_is_kept_for_the_cache_and_each_event_gets_its_own_id() -> None:
    claim = UpiRrnClaimed(rrn="612345678901", payment_id="up-1", payer_vpa="payer@bahi", occurred_at=NOW)
    first, second = new_events([SENT, claim], META)
    assert decided(first) is SENT and decided(second) is claim
    assert first._decided is SENT  # the private attribute as pydantic reads it
    assert first.event_id != second.event_id
    assert (first.event_type, second.event_type) == ("UpiPaymentSent", "UpiRrnClaimed")
    assert decided(NewEvent(event_id=first.event_id, event_type="X", schema_version=1, data={})) is None


def test_a_wrapped_event_is_frozen_as_a_validated_one_is() -> None:
    new = wrap(SENT, META)
    with pytest.raises(Exception, match="frozen"):
        new.event_type = "Other"  # type: ignore[misc]
    copied = new.model_copy(update={"metadata": EventMetadata()})
    assert copied.data == new.data and copied.metadata == EventMetadata()


def test_metadata_with_a_reason_equals_the_pydantic_copy_and_leaves_the_original() -> None:
    bare = EventMetadata(actor="customer-9", request_id="r-1", client_address="10.0.0.7")
    reasoned = with_reason(bare, "UPI 612345678901 to payee@bahi")
    copied = bare.model_copy(update={"reason": "UPI 612345678901 to payee@bahi"})
    assert reasoned == copied
    assert reasoned.model_fields_set == copied.model_fields_set
    assert reasoned.model_dump(mode="json") == copied.model_dump(mode="json")
    assert hash(reasoned) == hash(copied)
    assert bare.reason is None  # the request's own metadata is not changed
    assert with_reason(META, "another").reason == "another"  # a reason named already is replaced, as a copy would
