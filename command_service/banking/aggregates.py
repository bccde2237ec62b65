"""The banking context's aggregate type with its snapshot policy, and what its handlers ask for
by name (the bank's policy table, and the account as a UPI ledger)."""

from __future__ import annotations

from typing import Any

from command_service.banking import domain
from command_service.banking.settings import BankingSettings
from command_service.banking.upi_ledger import AccountUpiLedger
from command_service.handling import AggregateType
from shared.banking.policy import BANK_POLICY, FIGURES

SCHEMA_VERSION = 2
"""Bump when the Account state changes shape: old snapshots are then ignored (2: `upi_open`)."""


def account_type(snapshot_every: int) -> AggregateType[domain.Account]:
    return AggregateType(
        domain.STREAM_TYPE, domain.Account, domain.evolve, schema_version=SCHEMA_VERSION, snapshot_every=snapshot_every
    )


def aggregates(settings: BankingSettings) -> list[AggregateType[Any]]:
    """The account snapshots; a number's claim is one event per stream, never worth a snapshot."""
    return [account_type(settings.snapshot_every_account)]


def dependencies(settings: BankingSettings) -> dict[str, Any]:
    BANK_POLICY.require(FIGURES)
    return {"bank_policy": BANK_POLICY, "upi_account_ledger": AccountUpiLedger(BANK_POLICY)}
