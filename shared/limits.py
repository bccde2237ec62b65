"""Applying a context's rules to an amount: each rule that applies gives an allowance (the most
it lets through now), and the smallest one binds; a floor rule (a minimum) refuses what is
below it. A refusal is a 422 naming the binding rule, its figure and what would have passed
(`RuleRefusedError`: `allowed_paise` for a ceiling, `minimum_paise` for a floor).

Generic: it names no context. The wallets' PPI rules and the bank account's rules both go
through it; each context's error names its own aggregate's id (`wallet_id`, `account_id`).
"""

from __future__ import annotations

from typing import NamedTuple

from shared.errors import DomainError


class Allowance(NamedTuple):
    """What one rule lets through now. A named tuple, not a frozen dataclass: a payment builds
    several (the payer's, each leg's), and a frozen dataclass's `__init__` sets each field through
    `object.__setattr__`, about five times as slow."""

    subject: str
    """The id of the aggregate whose rule this is (the receiver's for a transfer's credit)."""
    rule: str
    limit_paise: int
    allowed_paise: int


def figure(subject: str, rule: str, limit: int, used: int) -> Allowance:
    """A rule capping a total: what is left of `limit` after `used`. A figure lowered by a newer
    row may leave a total above it: nothing more passes, never less than 0."""
    return Allowance(subject, rule, limit, max(limit - used, 0))


def barred(subject: str, rule: str) -> Allowance:
    """A rule that lets nothing through (a frozen account's debits)."""
    return Allowance(subject, rule, 0, 0)


def binding(amount_paise: int, allowances: list[Allowance]) -> Allowance | None:
    """The rule that refuses `amount_paise`, or None when every allowance lets it through. The
    first of equally tight rules binds: status rules come first."""
    if not allowances:
        return None
    tightest = min(allowances, key=lambda a: a.allowed_paise)
    return tightest if amount_paise > tightest.allowed_paise else None


class RuleRefusedError(DomainError):
    """A rule refuses the amount: `limit_paise` is the rule's figure, and `allowed_paise` the
    most that would have passed now (0: nothing would) or, for a floor, `minimum_paise` the
    least that would."""

    status = 422

    def __init__(
        self,
        *,
        id_field: str,
        subject: str,
        rule: str,
        limit_paise: int,
        requested_paise: int,
        allowed_paise: int | None = None,
        minimum_paise: int | None = None,
        **extra: object,
    ) -> None:
        if minimum_paise is not None:
            passes = f"at least {minimum_paise} would pass"
            bound: dict[str, object] = {"minimum_paise": minimum_paise}
        else:
            passes = f"at most {allowed_paise} would pass"
            bound = {"allowed_paise": allowed_paise}
        super().__init__(
            f"{id_field.removesuffix('_id')} {subject}: {requested_paise} paise refused by {rule} ({passes})",
            **{id_field: subject},
            rule=rule,
            limit_paise=limit_paise,
            **bound,
            requested_paise=requested_paise,
            **extra,
        )
