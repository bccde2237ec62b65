"""The upi context's aggregate type with its snapshot policy, and what its handlers ask for by
name (the UPI policy table, Bahi's psp, the RRNs' serials). The ledgers they ask for too (`upi_account_ledger`,
`upi_wallet_ledger`) are banking's and wallets' to provide."""

from __future__ import annotations

from typing import Any

from command_service.handling import AggregateType
from command_service.upi import domain
from command_service.upi.handlers.rrns import RrnSerials
from command_service.upi.settings import UpiSettings
from shared.upi.policy import FIGURES, UPI_POLICY

SCHEMA_VERSION = 2
"""Bump when the Vpa state changes shape: old snapshots are then ignored."""


def aggregates(settings: UpiSettings) -> list[AggregateType[Any]]:
    return [
        AggregateType(
            domain.STREAM_TYPE,
            domain.Vpa,
            domain.evolve,
            schema_version=SCHEMA_VERSION,
            snapshot_every=settings.snapshot_every_vpa,
        )
    ]


def dependencies(settings: UpiSettings) -> dict[str, Any]:
    UPI_POLICY.require(FIGURES)
    return {"upi_policy": UPI_POLICY, "upi_psp": settings.upi_psp, "upi_rrns": RrnSerials()}
