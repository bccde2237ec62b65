"""A UPI payment between two VPAs of Bahi: the upi context's limits on the payer's VPA
(`shared.upi.policy` says which apply), the RRN, and the `UpiPaymentSent` event. The money's legs
are the linked contexts' (`shared.upi.ledger`); the handler appends all of them together.

The RRN (NPCI's retrieval reference number, the UTR a customer quotes) is 12 digits: the last
digit of the IST year, the IST day of the year (3), the IST hour (2) and a 6-digit serial of that
hour (`rrn_of`); the handlers take serials no other payment got (`handlers.rrns`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from command_service.upi.domain.errors import (
    InvalidUpiRequestError,
    RrnExhaustedError,
    UpiLimitError,
    VpaNotFoundError,
)
from command_service.upi.domain.state import Vpa
from shared import limits
from shared.events import DomainEvent
from shared.periods import ist_date, ist_time
from shared.policy import PolicyTable
from shared.upi import policy as upi
from shared.upi.events import UpiPaymentSent
from shared.upi.values import VpaKind

RRN_SERIALS = 1_000_000
"""Serials per IST hour: the RRN's last 6 digits."""


_hour: tuple[datetime, datetime, str] | None = None
"""The IST hour of the latest RRN: its start and end (in UTC) and its 6-digit prefix. Payments
come by the hundred within one hour: its prefix is worked out once, not converted per payment."""


def rrn_prefix(now: datetime) -> str:
    """The last digit of the IST year, the IST day of the year (3) and the IST hour (2)."""
    global _hour
    hour = _hour
    if hour is not None and hour[0] <= now < hour[1]:
        return hour[2]
    local = ist_time(now)
    day_of_year = local.toordinal() - date(local.year, 1, 1).toordinal() + 1
    prefix = f"{local.year % 10}{day_of_year:03d}{local.hour:02d}"
    start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    _hour = (start, start + timedelta(hours=1), prefix)
    return prefix


def rrn_of(prefix: str, serial: int) -> str:
    """The RRN of an IST hour's prefix (`rrn_prefix`) and serial; an hour has `RRN_SERIALS`."""
    if serial < 0:
        raise ValueError(f"serial {serial}")
    if serial >= RRN_SERIALS:
        raise RrnExhaustedError(
            f"the {RRN_SERIALS:,} RRNs of this IST hour are all given out: retry once the hour turns",
            field="payment_id",
        )
    return f"{prefix}{serial:06d}"


def in_new_vpa_window(state: Vpa, now: datetime, policy: PolicyTable) -> bool:
    assert state.registered_at is not None
    return now - state.registered_at < timedelta(seconds=policy.value(upi.NEW_VPA_WINDOW, now))


def allowances(
    payer: Vpa, *, p2p: bool, now: datetime, policy: PolicyTable, in_window: bool | None = None
) -> list[limits.Allowance]:
    """The upi limits that apply to a payment from `payer` now (the binding one refuses);
    `in_window`: whether the payer is in its new-VPA window, when the caller knows already."""
    rules = []
    if p2p:
        day = ist_date(now).isoformat()
        rules.append(limits.figure(payer.vpa, upi.P2P_PER_TXN, policy.value(upi.P2P_PER_TXN, now), 0))
        used = payer.p2p_by_day.get(day, 0)
        rules.append(limits.figure(payer.vpa, upi.P2P_PER_DAY, policy.value(upi.P2P_PER_DAY, now), used))
    if in_new_vpa_window(payer, now, policy) if in_window is None else in_window:
        window_max = policy.value(upi.NEW_VPA_WINDOW_MAX, now)
        rules.append(limits.figure(payer.vpa, upi.NEW_VPA_WINDOW_MAX, window_max, payer.window_sent_paise))
    return rules


def refuse_over_limits(payer: Vpa, amount_paise: int, rules: list[limits.Allowance]) -> None:
    refusing = limits.binding(amount_paise, rules)
    if refusing is not None:
        raise UpiLimitError(
            vpa=payer.vpa,
            rule=refusing.rule,
            limit_paise=refusing.limit_paise,
            allowed_paise=refusing.allowed_paise,
            requested_paise=amount_paise,
        )


def check_parties(payer: Vpa, payee: Vpa) -> None:
    """Both VPAs registered, and not two names of one account or wallet."""
    if not payer.exists:
        raise VpaNotFoundError(f"VPA {payer.vpa} is not registered", field="payer_vpa", vpa=payer.vpa)
    if not payee.exists:
        raise VpaNotFoundError(f"VPA {payee.vpa} is not registered", field="payee_vpa", vpa=payee.vpa)
    if payee.vpa == payer.vpa or (payee.link_type, payee.link_id) == (payer.link_type, payer.link_id):
        raise InvalidUpiRequestError(
            f"{payee.vpa} pays into the {payer.link_type.value.lower()} {payer.vpa} pays from", field="payee_vpa"
        )


def decide_payment(
    payer: Vpa,
    payee: Vpa,
    *,
    payment_id: str,
    rrn: str,
    amount_paise: int,
    note: str | None,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    check_parties(payer, payee)
    p2p = payee.kind is VpaKind.PERSON
    in_window = in_new_vpa_window(payer, now, policy)
    refuse_over_limits(payer, amount_paise, allowances(payer, p2p=p2p, now=now, policy=policy, in_window=in_window))
    sent = UpiPaymentSent(
        payment_id=payment_id,
        rrn=rrn,
        payer_vpa=payer.vpa,
        payee_vpa=payee.vpa,
        amount_paise=amount_paise,
        note=note,
        p2p=p2p,
        in_new_vpa_window=in_window,
        payer_link_type=payer.link_type,
        payer_link_id=payer.link_id,
        payer_customer_id=payer.customer_id,
        payee_link_type=payee.link_type,
        payee_link_id=payee.link_id,
        payee_customer_id=payee.customer_id,
        occurred_at=now,
    )
    return [sent]
