"""The Wallet aggregate's state (stream id = wallet id) and the owner index's.

Plain frozen dataclasses of plain types (str, int, datetime, enums, dicts and tuples of them),
so the state round-trips through pydantic's `TypeAdapter` for snapshots. `evolve` never
mutates a state: it builds the next one (dicts are copied, not updated in place).

`balance_paise` includes held money; `available_paise = balance - held` is what a debit may
take. `movements` remembers every movement id ever recorded (the idempotency window is the
wallet's life, as TigerBeetle keeps transfer ids), each with a fingerprint of its body and its
first answer; snapshots keep a long-lived wallet's load cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.wallets.values import KycLevel, PaymentStatus, WalletStatus

Result = dict[str, int | str | None]
"""A movement's first answer, as plain JSON values."""


@dataclass(frozen=True)
class Payment:
    """A merchant payment from this wallet: a direct debit (PAID) or a hold and its fate."""

    merchant_id: str
    amount_paise: int
    """What was paid or held."""
    status: PaymentStatus
    order_id: str | None = None
    expires_at: datetime | None = None
    """When an uncaptured hold expires (None for a direct payment)."""
    captured_paise: int = 0
    refunded_paise: int = 0

    @property
    def open_hold(self) -> bool:
        return self.status is PaymentStatus.HELD


@dataclass(frozen=True)
class Movement:
    """A recorded movement id: what its body was (per-field digests) and what it answered."""

    fingerprint: tuple[tuple[str, str], ...]
    result: Result


@dataclass(frozen=True)
class Wallet:
    wallet_id: str = ""
    customer_id: str = ""
    status: WalletStatus | None = None
    kyc_level: KycLevel = KycLevel.MINIMUM
    balance_paise: int = 0
    held_paise: int = 0
    payments: dict[str, Payment] = field(default_factory=dict)
    loads_by_month: dict[str, int] = field(default_factory=dict)
    """Loads (top-ups and P2P received) per IST month ("2025-03")."""
    loads_by_fy: dict[str, int] = field(default_factory=dict)
    """Loads per Indian financial year ("FY2024-25")."""
    cash_loads_by_month: dict[str, int] = field(default_factory=dict)
    movements: dict[str, Movement] = field(default_factory=dict)
    """By "<kind>:<client id>" (kinds: topup, payment, capture, void, transfer, refund)."""

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def available_paise(self) -> int:
        return self.balance_paise - self.held_paise


@dataclass(frozen=True)
class WalletOwner:
    """The owner index of one customer: the wallet they have, if any."""

    customer_id: str = ""
    wallet_id: str | None = None
