"""The knobs of a chaos run: the short one in `make test` takes the defaults, `make chaos` more kills."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChaosSettings:
    kills_each: int = 5
    every: int = 12
    """Commands accepted since the previous restart before the next kill (which also waits for
    the previous kill's recovery)."""
    overlap_every: int = 4
    """Every n-th kill step takes two components down together."""
    workers: int = 4
    seed: int = 1
    keep_data: bool = False
