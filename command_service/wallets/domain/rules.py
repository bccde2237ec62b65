"""Applying the PPI rules to a movement: each rule that applies gives an allowance (the most it
lets through now), and the smallest one binds. A refusal names the binding rule, its figure
and what would have passed (`PolicyRefusedError`, a 422).

Figures come from the policy table in force at the moment of the decision
(`shared.wallets.policy`); status rules (frozen, closed) and the overdraft rule are not
figures. Which rules apply to which movement is decided and explained in that module.
"""

from __future__ import annotations

from datetime import datetime

from command_service.wallets.domain.errors import PolicyRefusedError
from command_service.wallets.domain.state import Wallet
from shared import limits
from shared.periods import fy_key, month_key
from shared.policy import PolicyTable
from shared.wallets import policy as ppi
from shared.wallets.values import KycLevel, WalletStatus

Allowance = limits.Allowance


def _figure(state: Wallet, rule: str, limit: int, used: int) -> Allowance:
    return limits.figure(state.wallet_id, rule, limit, used)


def _barred(state: Wallet, rule: str) -> Allowance:
    return limits.barred(state.wallet_id, rule)


def credit(state: Wallet, at: datetime, policy: PolicyTable, *, load: bool, cash: bool) -> list[Allowance]:
    """A credit: the balance cap always; as a load (top-up, P2P received), a minimum-KYC
    wallet's monthly and yearly load limits; from cash, the monthly cash-loading limit."""
    if state.status is WalletStatus.CLOSED:
        return [_barred(state, ppi.CLOSED_NO_CREDIT)]
    cap = ppi.BALANCE_CAP[state.kyc_level]
    rules = [_figure(state, cap, policy.value(cap, at), state.balance_paise)]
    if load and state.kyc_level is KycLevel.MINIMUM:
        month, fy = month_key(at), fy_key(at)
        month_limit = policy.value(ppi.MIN_KYC_LOADS_PER_MONTH, at)
        fy_limit = policy.value(ppi.MIN_KYC_LOADS_PER_FY, at)
        rules.append(_figure(state, ppi.MIN_KYC_LOADS_PER_MONTH, month_limit, state.loads_by_month.get(month, 0)))
        rules.append(_figure(state, ppi.MIN_KYC_LOADS_PER_FY, fy_limit, state.loads_by_fy.get(fy, 0)))
    if cash:
        used = state.cash_loads_by_month.get(month_key(at), 0)
        rules.append(_figure(state, ppi.CASH_LOADS_PER_MONTH, policy.value(ppi.CASH_LOADS_PER_MONTH, at), used))
    return rules


def debit(
    state: Wallet, at: datetime, policy: PolicyTable, *, p2p: bool = False, cash_out: bool = False, held: bool = False
) -> list[Allowance]:
    """A debit: none from a frozen or closed wallet; a minimum-KYC wallet's bars on P2P and
    cash-out; never more than is available (`held`: the money is already held for it)."""
    if state.status is WalletStatus.CLOSED:
        return [_barred(state, ppi.CLOSED_NO_DEBIT)]
    if state.status is WalletStatus.FROZEN:
        return [_barred(state, ppi.FROZEN_NO_DEBIT)]
    rules = []
    if state.kyc_level is KycLevel.MINIMUM:
        if p2p:
            rules.append(_figure(state, ppi.MIN_KYC_P2P_OUT, policy.value(ppi.MIN_KYC_P2P_OUT, at), 0))
        if cash_out:
            rules.append(_figure(state, ppi.MIN_KYC_CASH_OUT, policy.value(ppi.MIN_KYC_CASH_OUT, at), 0))
    if not held:
        rules.append(Allowance(state.wallet_id, ppi.NO_OVERDRAFT, state.available_paise, state.available_paise))
    return rules


def enforce(amount_paise: int, allowances: list[Allowance]) -> None:
    """Raise `PolicyRefusedError` naming the binding rule unless `amount_paise` passes them all
    (`shared.limits`: the first of equally tight rules binds, so status rules come first)."""
    refusing = limits.binding(amount_paise, allowances)
    if refusing is not None:
        raise PolicyRefusedError(
            wallet_id=refusing.subject,
            rule=refusing.rule,
            limit_paise=refusing.limit_paise,
            allowed_paise=refusing.allowed_paise,
            requested_paise=amount_paise,
        )
