"""Loading wallets and turning decided events into append requests and answers.

A movement answers its own fields and the wallet's balances after it; the dispatcher records
that answer with the movement id, so a replay answers the same. Other steps answer the
wallet's summary.
"""

from __future__ import annotations

from typing import Any

from command_service.event_store import AppendStream
from command_service.handling import Decision, Loader, new_events
from command_service.wallets import domain
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.frozen import blank_of
from shared.wallets.events import (
    WalletHoldCaptured,
    WalletHoldPlaced,
    WalletHoldVoided,
    WalletPaid,
    WalletRefunded,
    WalletToppedUp,
    WalletTransferSent,
)
from shared.wallets.streams import WALLET
from shared.wallets.values import PaymentStatus

_blank = blank_of(domain.Wallet, "wallet_id")


async def load_wallet(load: Loader, wallet_id: str) -> tuple[domain.Wallet, int]:
    return await load(WALLET.stream_id(wallet_id), _blank(wallet_id), domain.evolve)


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


def _fields(event: DomainEvent) -> dict[str, Any]:
    """A movement event's own fields, as its answer names them."""
    match event:
        case WalletToppedUp():
            return {
                "topup_id": event.topup_id,
                "amount_paise": event.amount_paise,
                "source": event.source.value,
                "reference": event.reference,
            }
        case WalletPaid() | WalletHoldPlaced():
            held = isinstance(event, WalletHoldPlaced)
            return {
                "payment_id": event.payment_id,
                "merchant_id": event.merchant_id,
                "order_id": event.order_id,
                "amount_paise": event.amount_paise,
                "payment_status": (PaymentStatus.HELD if held else PaymentStatus.PAID).value,
                "expires_at": event.expires_at.isoformat() if isinstance(event, WalletHoldPlaced) else None,
            }
        case WalletHoldCaptured():
            return {
                "payment_id": event.payment_id,
                "payment_status": PaymentStatus.CAPTURED.value,
                "captured_paise": event.captured_paise,
                "released_paise": event.released_paise,
            }
        case WalletHoldVoided():
            return {
                "payment_id": event.payment_id,
                "payment_status": PaymentStatus.VOIDED.value,
                "released_paise": event.released_paise,
            }
        case WalletTransferSent():
            return {
                "transfer_id": event.transfer_id,
                "to_wallet_id": event.to_wallet_id,
                "amount_paise": event.amount_paise,
                "note": event.note,
            }
        case WalletRefunded():
            return {"refund_id": event.refund_id, "payment_id": event.payment_id, "amount_paise": event.amount_paise}
    raise TypeError(f"{type(event).__name__} is not a movement")


def movement_decision(
    state: domain.Wallet,
    version: int,
    events: list[DomainEvent],
    metadata: EventMetadata,
    *more: AppendStream,
) -> Decision:
    """A movement (one event on this wallet): its fields and the wallet's balances after it, as
    the event states them (every movement event carries its balance after; those that move held
    money, the held total too)."""
    [event] = events
    balance: int = getattr(event, "balance_after_paise")  # noqa: B009 (each movement event has one)
    held = getattr(event, "held_after_paise", None)
    held = state.held_paise if held is None else held
    answer = {
        "wallet_id": state.wallet_id,
        **_fields(event),
        "balance_paise": balance,
        "held_paise": held,
        "available_paise": balance - held,
    }
    return Decision([wallet_stream(state.wallet_id, version, events, metadata), *more], answer)
