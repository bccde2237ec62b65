"""Loading wallets and turning decided events into append requests and answers.

A movement's answer is its first result as the wallet recorded it (`Wallet.movements`), so a
new movement and a replay of it answer alike; other steps answer the wallet's summary.
"""

from __future__ import annotations

from typing import Any

from command_service.event_store import AppendStream
from command_service.handling import Decision, Loader, new_events
from command_service.wallets import domain
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.wallets.streams import WALLET


async def load_wallet(load: Loader, wallet_id: str) -> tuple[domain.Wallet, int]:
    return await load(WALLET.stream_id(wallet_id), domain.Wallet(wallet_id=wallet_id), domain.evolve)


def wallet_stream(wallet_id: str, version: int, events: list[DomainEvent], metadata: EventMetadata) -> AppendStream:
    return AppendStream(WALLET.stream_id(wallet_id), WALLET.name, version, new_events(events, metadata))


def summary(state: domain.Wallet) -> dict[str, Any]:
    return {
        "wallet_id": state.wallet_id,
        "customer_id": state.customer_id,
        "status": state.status.value if state.status else None,
        "kyc_level": state.kyc_level.value,
        "balance_paise": state.balance_paise,
        "held_paise": state.held_paise,
        "available_paise": state.available_paise,
    }


def step_decision(state: domain.Wallet, version: int, events: list[DomainEvent], metadata: EventMetadata) -> Decision:
    """A step that is not a movement: the wallet's summary once the events applied."""
    after = domain.fold(state, events)
    return Decision([wallet_stream(state.wallet_id, version, events, metadata)], summary(after))


def movement_decision(
    state: domain.Wallet,
    version: int,
    events: list[DomainEvent],
    metadata: EventMetadata,
    kind: str,
    movement_id: str,
    *more: AppendStream,
) -> Decision:
    """A movement: its recorded first result (no events: a replay, answered the same way)."""
    after = domain.fold(state, events)
    answer = dict(after.movements[domain.key(kind, movement_id)].result)
    return Decision([wallet_stream(state.wallet_id, version, events, metadata), *more], answer)
