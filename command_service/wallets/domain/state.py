"""The Wallet aggregate's state (stream id = wallet id) and the owner index's.

Plain frozen dataclasses and named tuples of plain types (str, int, datetime, enums, dicts of
them), so the state round-trips through pydantic's `TypeAdapter` for snapshots. `evolve` never
mutates a state: it builds the next one (dicts are copied, not updated in place).

`balance_paise` includes held money; `available_paise = balance - held` is what a debit may
take. The state holds what the rules need and nothing else: movement ids are idempotency keys
recorded by the dispatcher in the event store (`command_service.handling.movements`), not
here, so a long-lived wallet's state (and its snapshot) grows only by its payments (a named
tuple each, a JSON array in a snapshot) and its load periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from shared.wallets.values import KycLevel, PaymentStatus, WalletStatus


class Payment(NamedTuple):
    """A merchant payment from this wallet: a direct debit (PAID) or a hold and its fate.
    A named tuple: thousands of them in a long-lived wallet's snapshot are small arrays."""

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
    upi_open: dict[str, int] = field(default_factory=dict)
    """UPI payments that left Bahi and wait for the switch (or a reversal), by payment id, with
    their amounts: debited, neither settled nor credited back."""

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
