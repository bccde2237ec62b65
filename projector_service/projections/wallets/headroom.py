"""The wallet view's limits: what the wallet has loaded in its current IST month and financial
year, and the headroom left under each PPI rule that caps a credit, with the figures of
`shared.wallets.policy` in force at the wallet's last event (never the wall clock, so a rebuild
gives the same document). Which movements count as loads mirrors the domain
(`command_service.wallets.domain.evolve`): top-ups and P2P credits; cash top-ups count towards
the cash-loading limit as well; refunds load nothing.

`loads` holds the counters of one month and one FY only: a load dated in an earlier period than
the one held (a late event) belongs to that period and leaves the current counters alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.periods import fy_key, month_key
from shared.wallets import policy as ppi
from shared.wallets.values import KycLevel, WalletStatus

Loads = dict[str, Any]


def no_loads(at: datetime) -> Loads:
    return {"month": month_key(at), "fy": fy_key(at), "month_paise": 0, "fy_paise": 0, "cash_month_paise": 0}


def rolled(loads: Loads, at: datetime) -> Loads:
    """The counters once `at` is reached: a later month or FY starts from zero."""
    month, fy = month_key(at), fy_key(at)
    out = dict(loads)
    if month > out["month"]:
        out.update(month=month, month_paise=0, cash_month_paise=0)
    if fy > out["fy"]:
        out.update(fy=fy, fy_paise=0)
    return out


def loaded(loads: Loads, at: datetime, amount: int, *, cash: bool) -> Loads:
    """The counters after a load of `amount` at `at`."""
    out = rolled(loads, at)
    if month_key(at) == out["month"]:
        out["month_paise"] += amount
        if cash:
            out["cash_month_paise"] += amount
    if fy_key(at) == out["fy"]:
        out["fy_paise"] += amount
    return out


def _limit(rule: str, period: str | None, at: datetime, used: int) -> dict[str, Any]:
    figure = ppi.PPI_POLICY.value(rule, at)
    # A figure lowered by a newer row may leave a wallet above it: no headroom, never below 0.
    return {
        "rule": rule,
        "period": period,
        "limit_paise": figure,
        "used_paise": used,
        "headroom_paise": max(figure - used, 0),
    }


def headroom(kyc: KycLevel, status: WalletStatus, balance: int, loads: Loads, at: datetime) -> dict[str, Any]:
    """Each rule capping a credit with its period key ("2025-03", "FY2024-25"; None for the balance
    cap, which holds at any time), and the largest top-up that would pass now (`load_paise`,
    and `cash_load_paise` from cash): the smallest headroom among the rules that apply."""
    limits = [_limit(ppi.BALANCE_CAP[kyc], None, at, balance)]
    if kyc is KycLevel.MINIMUM:
        limits.append(_limit(ppi.MIN_KYC_LOADS_PER_MONTH, loads["month"], at, loads["month_paise"]))
        limits.append(_limit(ppi.MIN_KYC_LOADS_PER_FY, loads["fy"], at, loads["fy_paise"]))
    cash = _limit(ppi.CASH_LOADS_PER_MONTH, loads["month"], at, loads["cash_month_paise"])
    load = 0 if status is WalletStatus.CLOSED else min(limit["headroom_paise"] for limit in limits)
    return {
        "as_of": at,
        "month": loads["month"],
        "fy": loads["fy"],
        "load_paise": load,
        "cash_load_paise": min(load, cash["headroom_paise"]),
        "limits": [*limits, cash],
    }
