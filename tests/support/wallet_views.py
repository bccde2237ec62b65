"""Wallet histories for the wallets read side's tests: `Book` writes a wallet's events the way
the domain would (each with the balance and held money after it, times moving on a minute at a
time unless given), `stored` turns them into the envelopes the event store would give (recorded
at the event's time, positions increasing across every book); and the projector registry of
commerce and wallets (the context is not in `shared.contexts.CONTEXTS` yet)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import uuid4

from command_service.handling import new_events
from projector_service.engine.apply import fold, group_by_document
from projector_service.projections import commerce, wallets
from projector_service.registry import ProjectorRegistry
from shared.envelope import EventEnvelope, EventMetadata
from shared.events import DomainEvent
from shared.wallets import events as e
from shared.wallets.values import DocumentType, KycLevel, TopupSource

T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
"""A Monday morning in IST (11:30), early in a month and late in a financial year."""
_positions = itertools.count(1)


@cache
def registry() -> ProjectorRegistry:
    """Commerce and wallets; building it adds the wallet events to the process-wide registry."""
    return ProjectorRegistry([commerce.MANIFEST, wallets.MANIFEST])


def rupees(amount: int) -> int:
    return amount * 100


def new_wallet_id() -> str:
    return f"wal-{uuid4().hex}"


@dataclass
class Book:
    """One wallet's history, written event by event (each method returns the book, to chain)."""

    wallet_id: str = field(default_factory=new_wallet_id)
    at: datetime = T0
    balance: int = 0
    held: int = 0
    events: list[DomainEvent] = field(default_factory=list)
    _holds: dict[str, tuple[str, int]] = field(default_factory=dict)

    def _event(self, kind: type[DomainEvent], at: datetime | None, **fields: Any) -> Book:
        """Appends `kind` at `at` (default: a minute after the last event), stamped with the wallet,
        the time and the balance after it."""
        self.at = at if at is not None else self.at + timedelta(minutes=1)
        stamp = {"wallet_id": self.wallet_id, "occurred_at": self.at, "balance_after_paise": self.balance}
        self.events.append(kind(**stamp, **fields))
        return self

    def _settle(self, payment_id: str, captured: int) -> dict[str, Any]:
        merchant_id, amount = self._holds.pop(payment_id)
        self.balance -= captured
        self.held -= amount
        return {"payment_id": payment_id, "merchant_id": merchant_id, "held_after_paise": self.held}

    def open(self, customer_id: str = "cust-1", kyc: KycLevel = KycLevel.MINIMUM, at: datetime | None = None) -> Book:
        fields = {"customer_id": customer_id, "mobile": "9876543210", "kyc_level": kyc}
        return self._event(e.WalletOpened, at if at is not None else self.at, **fields)

    def upgrade(self, at: datetime | None = None) -> Book:
        fields = {"from_level": KycLevel.MINIMUM, "to_level": KycLevel.FULL, "document_type": DocumentType.PAN}
        return self._event(e.WalletKycUpgraded, at, **fields, document_last4="123F")

    def top_up(
        self, paise: int, source: TopupSource = TopupSource.UPI, at: datetime | None = None, topup_id: str = ""
    ) -> Book:
        self.balance += paise
        fields = {"topup_id": topup_id or f"t-{len(self.events)}", "source": source, "reference": "upi-1"}
        return self._event(e.WalletToppedUp, at, amount_paise=paise, **fields)

    def pay(self, paise: int, merchant_id: str = "merch-1", at: datetime | None = None, payment_id: str = "") -> Book:
        self.balance -= paise
        fields = {"payment_id": payment_id or f"p-{len(self.events)}", "merchant_id": merchant_id, "order_id": "ord-1"}
        return self._event(e.WalletPaid, at, amount_paise=paise, **fields)

    def hold(self, paise: int, payment_id: str, merchant_id: str = "merch-1", at: datetime | None = None) -> Book:
        self.held += paise
        self._holds[payment_id] = (merchant_id, paise)
        expires = (at or self.at + timedelta(minutes=1)) + timedelta(minutes=15)
        fields = {"payment_id": payment_id, "merchant_id": merchant_id, "held_after_paise": self.held}
        return self._event(e.WalletHoldPlaced, at, amount_paise=paise, expires_at=expires, **fields)

    def capture(self, payment_id: str, paise: int | None = None, at: datetime | None = None) -> Book:
        amount = self._holds[payment_id][1]
        captured = amount if paise is None else paise
        fields = self._settle(payment_id, captured)
        return self._event(
            e.WalletHoldCaptured, at, captured_paise=captured, released_paise=amount - captured, **fields
        )

    def void(self, payment_id: str, at: datetime | None = None) -> Book:
        amount = self._holds[payment_id][1]
        return self._event(e.WalletHoldVoided, at, released_paise=amount, **self._settle(payment_id, 0))

    def expire(self, payment_id: str, at: datetime | None = None) -> Book:
        amount, when = self._holds[payment_id][1], at or self.at + timedelta(minutes=1)
        fields = self._settle(payment_id, 0)
        return self._event(e.WalletHoldExpired, when, released_paise=amount, expired_at=when, **fields)

    def send(self, paise: int, to_wallet_id: str, transfer_id: str = "tr-1", at: datetime | None = None) -> Book:
        self.balance -= paise
        fields = {"transfer_id": transfer_id, "to_wallet_id": to_wallet_id, "note": "rent"}
        return self._event(e.WalletTransferSent, at, amount_paise=paise, **fields)

    def receive(self, paise: int, from_wallet_id: str, transfer_id: str = "tr-1", at: datetime | None = None) -> Book:
        self.balance += paise
        fields = {"transfer_id": transfer_id, "from_wallet_id": from_wallet_id}
        return self._event(e.WalletTransferReceived, at, amount_paise=paise, **fields)

    def refund(
        self, paise: int, payment_id: str, merchant_id: str = "merch-1", at: datetime | None = None, refund_id: str = ""
    ) -> Book:
        self.balance += paise
        fields = {
            "refund_id": refund_id or f"r-{len(self.events)}",
            "payment_id": payment_id,
            "merchant_id": merchant_id,
        }
        return self._event(e.WalletRefunded, at, amount_paise=paise, **fields)

    def freeze(self, at: datetime | None = None) -> Book:
        return self._event(e.WalletFrozen, at, reason="dispute")

    def unfreeze(self, at: datetime | None = None) -> Book:
        return self._event(e.WalletUnfrozen, at, reason="resolved")

    def close(self, at: datetime | None = None) -> Book:
        paid_out, self.balance = self.balance, 0
        fields = {"reason": "asked", "to_bank_account": "HDFC0001234:123456789012", "paid_out_paise": paid_out}
        return self._event(e.WalletClosed, at, **fields)

    def stored(self, first_version: int = 1) -> list[EventEnvelope]:
        """The book's events from `first_version` on, as the event store gives them."""
        return stored(self.wallet_id, self.events[first_version - 1 :], first_version)


def stored(wallet_id: str, events: list[DomainEvent], first_version: int = 1) -> list[EventEnvelope]:
    return [
        EventEnvelope(
            event_id=n.event_id,
            stream_id=wallet_id,
            stream_type="wallet",
            version=version,
            position=next(_positions),
            event_type=n.event_type,
            schema_version=n.schema_version,
            data=n.data,
            metadata=EventMetadata(),
            recorded_at=event.occurred_at,  # type: ignore[attr-defined]
        )
        for version, (event, n) in enumerate(
            zip(events, new_events(events, EventMetadata()), strict=True), start=first_version
        )
    ]


def project(name: str, envelopes: list[EventEnvelope]) -> dict[str, dict[str, Any]]:
    """The documents of projection `name` folded from `envelopes` in memory, by id (pure, as the
    engine applies them: version guards and all)."""
    projection = registry().projections[name]
    folded = {doc_id: fold(projection, None, envs) for doc_id, envs in group_by_document(projection, envelopes).items()}
    return {doc_id: doc for doc_id, doc in folded.items() if doc is not None}
