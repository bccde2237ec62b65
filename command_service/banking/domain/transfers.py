"""Transfers: external ones (NEFT, RTGS, IMPS) are debited at once and stay pending until the
clearing settles or returns them (`decide_settle`, sent by the settlement process manager);
internal ones are the sender's and the receiver's events in one atomic append.

Every transfer applies the sender's debit rules, its rail's (RTGS floor, IMPS ceiling) and the
new-payee rule; an internal one the receiver's credit rules too (a refusal names the receiver's
rule and its `account_id`). A returned transfer is credited back exactly once: a second
settlement of it decides nothing (`TransferNotPendingError`), and the process manager's retries
are answered by the dispatcher from the settlement's movement record.
"""

from __future__ import annotations

from datetime import datetime

from command_service.banking.domain import rules
from command_service.banking.domain.errors import (
    AccountNotFoundError,
    InvalidRequestError,
    TransferNotPendingError,
)
from command_service.banking.domain.lifecycle import existing
from command_service.banking.domain.state import INTERNAL_PAYEE, Account, payee_key
from shared.banking.events import (
    AccountTransferInitiated,
    AccountTransferReceived,
    AccountTransferReturned,
    AccountTransferSent,
    AccountTransferSettled,
)
from shared.banking.values import Outcome, Rail
from shared.events import DomainEvent
from shared.policy import PolicyTable


def decide_external_transfer(
    state: Account,
    *,
    transfer_id: str,
    rail: Rail,
    to_account_number: str,
    to_ifsc: str,
    amount_paise: int,
    narration: str | None,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    existing(state)
    if rail is Rail.INTERNAL:
        raise InvalidRequestError("an INTERNAL transfer names to_account_id", field="rail")
    if (to_ifsc, to_account_number) == (state.branch_ifsc, state.account_number):
        raise InvalidRequestError(
            f"account {state.account_id} cannot transfer to itself",
            field="to_account_number",
            account_id=state.account_id,
        )
    if transfer_id in state.pending:
        # A retry of a recorded transfer never gets here (the dispatcher answers it): a transfer id
        # is never a second transfer of the account, whatever the body.
        raise TransferNotPendingError(
            f"transfer {transfer_id} of account {state.account_id} is with the clearing already",
            account_id=state.account_id,
            transfer_id=transfer_id,
            field="transfer_id",
        )
    rules.floor(state, rail, amount_paise, now, policy)
    allowances = rules.debit(state, now, policy) + rules.rail(state, rail, now, policy)
    allowances += rules.new_payee(state, payee_key(to_ifsc, to_account_number), now, policy)
    rules.enforce(amount_paise, allowances)
    initiated = AccountTransferInitiated(
        account_id=state.account_id,
        transfer_id=transfer_id,
        rail=rail,
        to_account_number=to_account_number,
        to_ifsc=to_ifsc,
        amount_paise=amount_paise,
        narration=narration,
        balance_after_paise=state.balance_paise - amount_paise,
        occurred_at=now,
    )
    return [initiated]


def decide_internal_transfer(
    sender: Account,
    receiver: Account,
    *,
    transfer_id: str,
    amount_paise: int,
    narration: str | None,
    now: datetime,
    policy: PolicyTable,
) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """The sender's and the receiver's events: both or neither."""
    existing(sender)
    if receiver.account_id == sender.account_id:
        raise InvalidRequestError(
            f"account {sender.account_id} cannot transfer to itself",
            field="to_account_id",
            account_id=sender.account_id,
        )
    if not receiver.exists:
        raise AccountNotFoundError(
            f"account {receiver.account_id} does not exist", account_id=receiver.account_id, field="to_account_id"
        )
    allowances = rules.debit(sender, now, policy)
    allowances += rules.new_payee(sender, payee_key(INTERNAL_PAYEE, receiver.account_number), now, policy)
    allowances += rules.credit(receiver, now, policy)
    rules.enforce(amount_paise, allowances)
    sent = AccountTransferSent(
        account_id=sender.account_id,
        transfer_id=transfer_id,
        to_account_id=receiver.account_id,
        to_account_number=receiver.account_number,
        amount_paise=amount_paise,
        narration=narration,
        balance_after_paise=sender.balance_paise - amount_paise,
        occurred_at=now,
    )
    received = AccountTransferReceived(
        account_id=receiver.account_id,
        transfer_id=transfer_id,
        from_account_id=sender.account_id,
        from_account_number=sender.account_number,
        amount_paise=amount_paise,
        narration=narration,
        balance_after_paise=receiver.balance_paise + amount_paise,
        occurred_at=now,
    )
    return [sent], [received]


def decide_settle(
    state: Account,
    *,
    transfer_id: str,
    outcome: Outcome,
    reason: str | None,
    batch_id: str | None,
    utr: str,
    now: datetime,
) -> list[DomainEvent]:
    """The clearing's answer for a pending transfer: settled (nothing moves), or returned
    (credited back, whatever the account's status or limits: it is the customer's own money)."""
    existing(state)
    pending = state.pending.get(transfer_id)
    if pending is None:
        raise TransferNotPendingError(
            f"account {state.account_id} has no pending transfer {transfer_id}",
            account_id=state.account_id,
            transfer_id=transfer_id,
        )
    ids = {"account_id": state.account_id, "transfer_id": transfer_id, "rail": pending.rail, "batch_id": batch_id}
    if outcome is Outcome.SETTLED:
        settled = AccountTransferSettled(
            **ids, amount_paise=pending.amount_paise, utr=utr, balance_after_paise=state.balance_paise, occurred_at=now
        )
        return [settled]
    returned = AccountTransferReturned(
        **ids,
        amount_paise=pending.amount_paise,
        reason=reason or "returned by the beneficiary's bank",
        initiated_at=pending.initiated_at,
        balance_after_paise=state.balance_paise + pending.amount_paise,
        occurred_at=now,
    )
    return [returned]
