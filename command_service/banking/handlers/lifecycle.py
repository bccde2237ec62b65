"""Handlers of an account's life: open (the account's stream and its number's claim in one
atomic append), freeze, unfreeze, close."""

from __future__ import annotations

from command_service.banking import domain
from command_service.banking.commands import CloseAccount, FreezeAccount, OpenAccount, UnfreezeAccount
from command_service.banking.handlers.streams import account_stream, because, load_account, step_decision, summary
from command_service.event_store import NO_STREAM, AppendStream
from command_service.handling import Clock, Decision, Loader, new_events
from shared.banking.streams import ACCOUNT_NUMBER, number_stream_id
from shared.envelope import EventMetadata


async def _free_number(load: Loader, account_id: str) -> str:
    """The account id's first candidate number no other account has claimed (read from the
    claims; the claim's append at NO_STREAM settles a race: the loser conflicts, and the
    dispatcher's retry reads the claim and takes the next candidate)."""
    for attempt in range(domain.CANDIDATES):
        number = domain.candidate(account_id, attempt)
        claim, _ = await load(number_stream_id(number), domain.NumberClaim(account_number=number), domain.evolve_claim)
        if claim.account_id in (None, account_id):
            return number
    raise domain.AccountNumberExhaustedError(
        f"no free account number for {account_id} after {domain.CANDIDATES} candidates: retry the request"
    )


async def open_account(
    cmd: OpenAccount, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    """The id is a fresh server-made UUID: its stream cannot exist, so it is not read."""
    number = await _free_number(load, target_id)
    account_events, claim_events = domain.decide_open(
        account_id=target_id,
        account_number=number,
        customer_id=cmd.customer_id,
        holder_name=cmd.holder_name,
        account_type=cmd.type,
        branch_ifsc=cmd.branch_ifsc,
        now=clock(),
    )
    metadata = because(metadata, f"{cmd.type.value} account opened for {cmd.customer_id}")
    streams = [
        account_stream(target_id, NO_STREAM, account_events, metadata),
        AppendStream(number_stream_id(number), ACCOUNT_NUMBER.name, NO_STREAM, new_events(claim_events, metadata)),
    ]
    return Decision(streams, summary(domain.fold(domain.Account(account_id=target_id), account_events)))


async def freeze_account(
    cmd: FreezeAccount, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_freeze(state, reason=cmd.reason, now=clock())
    return step_decision(state, version, events, because(metadata, cmd.reason))


async def unfreeze_account(
    cmd: UnfreezeAccount, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_unfreeze(state, reason=cmd.reason, now=clock())
    return step_decision(state, version, events, because(metadata, cmd.reason))


async def close_account(
    cmd: CloseAccount, *, target_id: str, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    state, version = await load_account(load, target_id)
    events = domain.decide_close(state, reason=cmd.reason, now=clock())
    return step_decision(state, version, events, because(metadata, cmd.reason))
