"""Loading accounts and turning decided events into append requests and answers.

A movement answers its own fields and the account's balance after it; the dispatcher records
that answer with the movement id, so a replay answers the same. Other steps answer the
account's summary. Every event's metadata carries why (`reason`): the handler names it from the
command (its narration or reason).
"""

from __future__ import annotations

from typing import Any

from command_service.banking import domain
from command_service.event_store import AppendStream
from command_service.handling import Decision, Loader, new_events, with_reason
from shared.banking.events import (
    AccountDeposited,
    AccountMinimumBalanceCharged,
    AccountTransferInitiated,
    AccountTransferReturned,
    AccountTransferSent,
    AccountTransferSettled,
    AccountWithdrawn,
)
from shared.banking.streams import ACCOUNT
from shared.banking.values import TransferStatus
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.frozen import blank_of

_blank = blank_of(domain.Account, "account_id")


async def load_account(load: Loader, account_id: str) -> tuple[domain.Account, int]:
    return await load(ACCOUNT.stream_id(account_id), _blank(account_id), domain.evolve)


def because(metadata: EventMetadata, reason: str | None) -> EventMetadata:
    """The request's metadata with why it was made (kept when the caller named one already)."""
    if reason is None or metadata.reason is not None:
        return metadata
    return with_reason(metadata, reason)


def account_stream(account_id: str, version: int, events: list[DomainEvent], metadata: EventMetadata) -> AppendStream:
    return AppendStream(ACCOUNT.stream_id(account_id), ACCOUNT.name, version, new_events(events, metadata))


def summary(state: domain.Account) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "account_number": state.account_number,
        "customer_id": state.customer_id,
        "holder_name": state.holder_name,
        "type": state.account_type.value,
        "branch_ifsc": state.branch_ifsc,
        "status": state.status.value if state.status else None,
        "balance_paise": state.balance_paise,
        "pending_out_paise": state.pending_paise,
    }


def step_decision(state: domain.Account, version: int, events: list[DomainEvent], metadata: EventMetadata) -> Decision:
    """A step that is not a movement: the account's summary once the events applied."""
    after = domain.fold(state, events)
    return Decision([account_stream(state.account_id, version, events, metadata)], summary(after))


def _fields(event: DomainEvent) -> dict[str, Any]:
    """A movement event's own fields, as its answer names them."""
    match event:
        case AccountDeposited() | AccountWithdrawn():
            return {
                "txn_id": event.txn_id,
                "amount_paise": event.amount_paise,
                "mode": event.mode.value,
                "narration": event.narration,
            }
        case AccountTransferInitiated():
            return {
                "transfer_id": event.transfer_id,
                "rail": event.rail.value,
                "amount_paise": event.amount_paise,
                "to_account_number": event.to_account_number,
                "to_ifsc": event.to_ifsc,
                "transfer_status": TransferStatus.PENDING.value,
            }
        case AccountTransferSent():
            return {
                "transfer_id": event.transfer_id,
                "rail": "INTERNAL",
                "amount_paise": event.amount_paise,
                "to_account_id": event.to_account_id,
                "to_account_number": event.to_account_number,
                "transfer_status": TransferStatus.COMPLETED.value,
            }
        case AccountTransferSettled():
            return {"transfer_id": event.transfer_id, "transfer_status": TransferStatus.SETTLED.value, "utr": event.utr}
        case AccountTransferReturned():
            return {
                "transfer_id": event.transfer_id,
                "transfer_status": TransferStatus.RETURNED.value,
                "returned_paise": event.amount_paise,
                "reason": event.reason,
            }
        case AccountMinimumBalanceCharged():
            return {
                "month": event.month,
                "average_balance_paise": event.average_balance_paise,
                "required_paise": event.required_paise,
                "shortfall_paise": event.shortfall_paise,
                "computed_paise": event.computed_paise,
                "charged_paise": event.charged_paise,
                "waived_paise": event.waived_paise,
            }
    raise TypeError(f"{type(event).__name__} is not a movement")


def movement_decision(
    state: domain.Account, version: int, events: list[DomainEvent], metadata: EventMetadata, *more: AppendStream
) -> Decision:
    """A movement (one event on this account): its fields and the balance after it, as the event
    states it."""
    [event] = events
    balance: int = getattr(event, "balance_after_paise")  # noqa: B009 (each account event has one)
    answer = {"account_id": state.account_id, **_fields(event), "balance_paise": balance}
    return Decision([account_stream(state.account_id, version, events, metadata), *more], answer)
