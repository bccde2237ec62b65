"""Handlers of money movements: top-up, payment (direct or hold), capture, void, expiry,
P2P transfer (both wallets' streams in one atomic append), merchant refund.

Movement ids are idempotency keys: the dispatcher answers a replay with the movement's first
result and appends nothing (see `command_service.wallets` on refused ids).
"""

from __future__ import annotations

from datetime import timedelta

from command_service.handling import Clock, Decision, Loader
from command_service.wallets import domain
from command_service.wallets.commands import (
    CaptureHold,
    ExpireHold,
    PayFromWallet,
    RefundToWallet,
    TopUpWallet,
    TransferFromWallet,
    VoidHold,
)
from command_service.wallets.handlers.streams import (
    load_wallet,
    movement_decision,
    step_decision,
    wallet_stream,
)
from shared.envelope import EventMetadata
from shared.policy import PolicyTable


async def top_up(
    cmd: TopUpWallet, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock, wallet_policy: PolicyTable
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_top_up(
        state,
        topup_id=cmd.topup_id,
        amount_paise=cmd.amount_paise,
        source=cmd.source,
        reference=cmd.reference,
        now=clock(),
        policy=wallet_policy,
    )
    return movement_decision(state, version, events, metadata)


async def pay(
    cmd: PayFromWallet,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    wallet_policy: PolicyTable,
    hold_timeout: timedelta,
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_pay(
        state,
        payment_id=cmd.payment_id,
        merchant_id=cmd.merchant_id,
        amount_paise=cmd.amount_paise,
        order_id=cmd.order_id,
        hold=cmd.hold,
        now=clock(),
        policy=wallet_policy,
        hold_timeout=hold_timeout,
    )
    return movement_decision(state, version, events, metadata)


async def capture(
    cmd: CaptureHold, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock, wallet_policy: PolicyTable
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_capture(
        state, payment_id=cmd.payment_id, amount_paise=cmd.amount_paise, now=clock(), policy=wallet_policy
    )
    return movement_decision(state, version, events, metadata)


async def void(cmd: VoidHold, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_void(state, payment_id=cmd.payment_id, now=clock())
    return movement_decision(state, version, events, metadata)


async def expire(cmd: ExpireHold, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock) -> Decision:
    """No events when the hold is settled already: the process manager may be late or repeat itself."""
    state, version = await load_wallet(load, target_id)
    events = domain.decide_expire(state, payment_id=cmd.payment_id, now=clock())
    decision = step_decision(state, version, events, metadata)
    status = domain.fold(state, events).payments[cmd.payment_id].status
    return Decision(
        decision.streams, {**decision.response, "payment_id": cmd.payment_id, "payment_status": status.value}
    )


async def transfer(
    cmd: TransferFromWallet,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    wallet_policy: PolicyTable,
) -> Decision:
    """The sender's stream first (its version is the answer's token), the receiver's second:
    one append, both or neither. A concurrent write to either makes the whole append conflict;
    the dispatcher then reloads both and decides again."""
    sender, sender_version = await load_wallet(load, target_id)
    receiver, receiver_version = await load_wallet(load, cmd.to_wallet_id)
    sent, received = domain.decide_transfer(
        sender,
        receiver,
        transfer_id=cmd.transfer_id,
        amount_paise=cmd.amount_paise,
        note=cmd.note,
        now=clock(),
        policy=wallet_policy,
    )
    receiver_stream = wallet_stream(receiver.wallet_id, receiver_version, received, metadata)
    return movement_decision(sender, sender_version, sent, metadata, receiver_stream)


async def refund(
    cmd: RefundToWallet,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    wallet_policy: PolicyTable,
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_refund(
        state,
        refund_id=cmd.refund_id,
        payment_id=cmd.payment_id,
        amount_paise=cmd.amount_paise,
        now=clock(),
        policy=wallet_policy,
    )
    return movement_decision(state, version, events, metadata)
