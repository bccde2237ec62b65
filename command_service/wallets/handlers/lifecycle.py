"""Handlers of a wallet's life: open (the wallet's stream and the customer's owner index in
one atomic append), KYC upgrade, freeze, unfreeze, close."""

from __future__ import annotations

from command_service.event_store import NO_STREAM, AppendStream
from command_service.handling import Clock, Decision, Loader, new_events
from command_service.wallets import domain
from command_service.wallets.commands import CloseWallet, FreezeWallet, OpenWallet, UnfreezeWallet, UpgradeKyc
from command_service.wallets.handlers.streams import load_wallet, step_decision, summary, wallet_stream
from shared.envelope import EventMetadata
from shared.policy import PolicyTable
from shared.wallets.streams import WALLET_OWNER, owner_stream_id


async def open_wallet(
    cmd: OpenWallet, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    """One wallet per customer. The owner index is read first, to name the customer's wallet in
    the 409; it is appended at NO_STREAM, so of two concurrent opens one conflicts, and the
    dispatcher's retry reads the index again and answers that 409."""
    index_id = owner_stream_id(cmd.customer_id)
    owner, _ = await load(index_id, domain.WalletOwner(customer_id=cmd.customer_id), domain.evolve_owner)
    # The id is a fresh server-made UUID: its stream cannot exist, so it is not read.
    wallet_events, owner_events = domain.decide_open(
        domain.Wallet(wallet_id=target_id),
        owner,
        wallet_id=target_id,
        customer_id=cmd.customer_id,
        mobile=cmd.mobile,
        kyc_level=cmd.kyc,
        now=clock(),
    )
    streams = [
        wallet_stream(target_id, NO_STREAM, wallet_events, metadata),
        AppendStream(index_id, WALLET_OWNER.name, NO_STREAM, new_events(owner_events, metadata)),
    ]
    return Decision(streams, summary(domain.fold(domain.Wallet(wallet_id=target_id), wallet_events)))


async def upgrade_kyc(
    cmd: UpgradeKyc, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_upgrade_kyc(
        state, level=cmd.level, document_type=cmd.document_type, document_last4=cmd.document_last4, now=clock()
    )
    return step_decision(state, version, events, metadata)


async def freeze_wallet(
    cmd: FreezeWallet, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_wallet(load, target_id)
    return step_decision(state, version, domain.decide_freeze(state, reason=cmd.reason, now=clock()), metadata)


async def unfreeze_wallet(
    cmd: UnfreezeWallet, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_wallet(load, target_id)
    return step_decision(state, version, domain.decide_unfreeze(state, reason=cmd.reason, now=clock()), metadata)


async def close_wallet(
    cmd: CloseWallet,
    *,
    target_id: str,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    wallet_policy: PolicyTable,
) -> Decision:
    state, version = await load_wallet(load, target_id)
    events = domain.decide_close(
        state, reason=cmd.reason, to_bank_account=cmd.to_bank_account, now=clock(), policy=wallet_policy
    )
    decision = step_decision(state, version, events, metadata)
    return Decision(decision.streams, {**decision.response, "paid_out_paise": state.balance_paise})
