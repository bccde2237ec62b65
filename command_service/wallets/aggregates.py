"""The wallets context's aggregate type with its snapshot policy, and what its handlers ask
for by name (the PPI policy table, the hold timeout, the wallet as a UPI ledger)."""

from __future__ import annotations

from typing import Any

from command_service.handling import AggregateType
from command_service.wallets import domain
from command_service.wallets.settings import WalletSettings
from command_service.wallets.upi_ledger import WalletUpiLedger
from shared.wallets.policy import FIGURES, PPI_POLICY


def aggregates(settings: WalletSettings) -> list[AggregateType[Any]]:
    """Bump `schema_version` when the Wallet state changes shape: old snapshots are then ignored.
    The owner index is one event per stream: never worth a snapshot."""
    return [
        AggregateType(
            domain.STREAM_TYPE,
            domain.Wallet,
            domain.evolve,
            schema_version=3,  # 2: movement ids left the state (recorded by the dispatcher); 3: upi_open
            snapshot_every=settings.snapshot_every_wallet,
        )
    ]


def dependencies(settings: WalletSettings) -> dict[str, Any]:
    PPI_POLICY.require(FIGURES)
    return {
        "wallet_policy": PPI_POLICY,
        "hold_timeout": settings.hold_timeout,
        "upi_wallet_ledger": WalletUpiLedger(PPI_POLICY),
    }
