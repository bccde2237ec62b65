"""Handlers of money movements: deposit, withdrawal, transfer (external: debited and pending;
internal: both accounts' streams in one atomic append), the clearing's settlement, and the
minimum-balance charge.

Movement ids are idempotency keys: the dispatcher answers a replay with the movement's first
result and appends nothing.
"""

from __future__ import annotations

from command_service.banking import domain
from command_service.banking.commands import ChargeMinimumBalance, Deposit, SettleTransfer, Transfer, Withdraw
from command_service.banking.handlers.streams import (
    account_stream,
    because,
    load_account,
    movement_decision,
    step_decision,
)
from command_service.handling import Clock, Decision, Loader
from shared.banking.values import Outcome, Rail
from shared.envelope import EventMetadata
from shared.policy import PolicyTable


async def deposit(
    cmd: Deposit, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock, bank_policy: PolicyTable
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_deposit(
        state,
        txn_id=cmd.txn_id,
        amount_paise=cmd.amount_paise,
        mode=cmd.mode,
        narration=cmd.narration,
        now=clock(),
        policy=bank_policy,
    )
    return movement_decision(state, version, events, because(metadata, cmd.narration))


async def withdraw(
    cmd: Withdraw, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock, bank_policy: PolicyTable
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_withdraw(
        state,
        txn_id=cmd.txn_id,
        amount_paise=cmd.amount_paise,
        mode=cmd.mode,
        narration=cmd.narration,
        now=clock(),
        policy=bank_policy,
    )
    return movement_decision(state, version, events, because(metadata, cmd.narration))


async def transfer(
    cmd: Transfer, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock, bank_policy: PolicyTable
) -> Decision:
    """External: one event, the account's. Internal: the sender's stream first (its version is
    the answer's token), the receiver's second, one append, both or neither; a concurrent write
    to either makes it conflict and the dispatcher decides again on both."""
    sender, sender_version = await load_account(load, target_id)
    now = clock()
    if cmd.rail is not Rail.INTERNAL:
        assert cmd.to_account_number is not None and cmd.to_ifsc is not None  # the command's validators
        reason = cmd.narration or f"{cmd.rail.value} transfer to {cmd.to_ifsc}:{cmd.to_account_number}"
        events = domain.decide_external_transfer(
            sender,
            transfer_id=cmd.transfer_id,
            rail=cmd.rail,
            to_account_number=cmd.to_account_number,
            to_ifsc=cmd.to_ifsc,
            amount_paise=cmd.amount_paise,
            narration=cmd.narration,
            now=now,
            policy=bank_policy,
        )
        return movement_decision(sender, sender_version, events, because(metadata, reason))
    assert cmd.to_account_id is not None
    receiver, receiver_version = await load_account(load, cmd.to_account_id)
    sent, received = domain.decide_internal_transfer(
        sender,
        receiver,
        transfer_id=cmd.transfer_id,
        amount_paise=cmd.amount_paise,
        narration=cmd.narration,
        now=now,
        policy=bank_policy,
    )
    metadata = because(metadata, cmd.narration or f"INTERNAL transfer to {receiver.account_number}")
    receiver_stream = account_stream(receiver.account_id, receiver_version, received, metadata)
    return movement_decision(sender, sender_version, sent, metadata, receiver_stream)


async def settle(
    cmd: SettleTransfer, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_settle(
        state,
        transfer_id=cmd.transfer_id,
        outcome=cmd.outcome,
        reason=cmd.reason,
        batch_id=cmd.batch_id,
        utr=cmd.utr,
        now=clock(),
    )
    what = "settled" if cmd.outcome is Outcome.SETTLED else f"returned: {cmd.reason}"
    batch = f" in {cmd.batch_id}" if cmd.batch_id else ""
    return movement_decision(state, version, events, because(metadata, f"transfer {cmd.transfer_id} {what}{batch}"))


async def charge_minimum_balance(
    cmd: ChargeMinimumBalance,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    bank_policy: PolicyTable,
) -> Decision:
    """No charge due (no shortfall, or one too small to charge): nothing appended, and the answer
    says so; nothing is recorded, so the month may be asked again, and since its balances are
    past, the answer is the same."""
    state, version = await load_account(load, target_id)
    events = domain.decide_minimum_balance_charge(state, month=cmd.month, now=clock(), policy=bank_policy)
    if not events:
        decision = step_decision(state, version, events, metadata)
        average = domain.average_balance(state, cmd.month)
        answer = {**decision.response, "month": cmd.month, "average_balance_paise": average, "charged_paise": 0}
        return Decision(decision.streams, answer)
    return movement_decision(state, version, events, because(metadata, f"minimum balance charge for {cmd.month}"))
