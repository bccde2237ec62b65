"""Payments leaving Bahi (the payee's VPA is another psp's): the payer is debited at once and the
payment is PENDING until the switch answers — credited at the payee's psp (COMPLETED), declined
(DECLINED: credited back in the same append) or no answer (DEEMED: reversed to the payer by T+1,
REVERSED). The limits are the payer VPA's as for any payment; a payee outside Bahi counts as a
person (P2P: the switch would tell a merchant, the simulation does not).

T+1 (`shared.upi.policy`): T is the IST calendar day of the debit; the reversal is due before
00:00 IST of T + `REVERSAL_TAT_DAYS` + 1 (`reverse_by`). A reversal recorded at or after it is
`days_late` = its own IST date minus T+1 (00:00 IST of T+2 is one day late), and accrues
`LATE_REVERSAL_COMPENSATION` per day late. The rows in force on the day of the debit apply.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from command_service.upi.domain.errors import PaymentNotPendingError, VpaNotFoundError
from command_service.upi.domain.payments import allowances, in_new_vpa_window, refuse_over_limits
from command_service.upi.domain.state import Outbound, Vpa
from shared.events import DomainEvent
from shared.periods import ist_date
from shared.policy import IST, PolicyTable
from shared.upi import policy as upi
from shared.upi.events import (
    UpiPaymentCompleted,
    UpiPaymentDeclined,
    UpiPaymentDeemed,
    UpiPaymentReversed,
    UpiPaymentSent,
)
from shared.upi.values import PaymentStatus, SwitchOutcome


def reverse_by(debited_at: datetime, policy: PolicyTable) -> datetime:
    """The end of T+1: 00:00 IST of the day after T+1, in UTC (the reversal is due before it)."""
    days = policy.value(upi.REVERSAL_TAT_DAYS, debited_at)
    t_plus_2 = ist_date(debited_at) + timedelta(days=days + 1)
    return datetime.combine(t_plus_2, time(0), tzinfo=IST).astimezone(UTC)


def lateness(debited_at: datetime, reversed_at: datetime, policy: PolicyTable) -> tuple[int, int]:
    """(days late, compensation in paise) of a reversal recorded at `reversed_at`."""
    deadline = reverse_by(debited_at, policy)
    if reversed_at < deadline:
        return 0, 0
    last_day_in_time = ist_date(deadline) - timedelta(days=1)
    days = (ist_date(reversed_at) - last_day_in_time).days
    return days, days * policy.value(upi.LATE_REVERSAL_COMPENSATION, debited_at)


def decide_outbound_payment(
    payer: Vpa,
    *,
    payee_vpa: str,
    payment_id: str,
    rrn: str,
    amount_paise: int,
    note: str | None,
    now: datetime,
    policy: PolicyTable,
) -> list[DomainEvent]:
    """The PENDING payment (the handler appends it with the payer's debit)."""
    if not payer.exists:
        raise VpaNotFoundError(f"VPA {payer.vpa} is not registered", field="payer_vpa", vpa=payer.vpa)
    in_window = in_new_vpa_window(payer, now, policy)
    refuse_over_limits(payer, amount_paise, allowances(payer, p2p=True, now=now, policy=policy, in_window=in_window))
    sent = UpiPaymentSent(
        payment_id=payment_id,
        rrn=rrn,
        payer_vpa=payer.vpa,
        payee_vpa=payee_vpa,
        amount_paise=amount_paise,
        note=note,
        p2p=True,
        in_new_vpa_window=in_window,
        payer_link_type=payer.link_type,
        payer_link_id=payer.link_id,
        payer_customer_id=payer.customer_id,
        status=PaymentStatus.PENDING,
        occurred_at=now,
    )
    return [sent]


def _outbound(state: Vpa, payment_id: str, *expected: PaymentStatus) -> Outbound:
    payment = state.outbound.get(payment_id)
    if payment is None or payment.status not in expected:
        raise PaymentNotPendingError(
            f"payment {payment_id} of {state.vpa} is not {' or '.join(s.value for s in expected)}",
            field="payment_id",
            payment_id=payment_id,
        )
    return payment


def decide_switch_answer(
    state: Vpa, *, payment_id: str, outcome: SwitchOutcome, reason: str | None, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    """The switch's answer about a PENDING payment; a DECLINED one needs the payer's credit back
    in the same append (the handler asks the payer's ledger for it)."""
    payment = _outbound(state, payment_id, PaymentStatus.PENDING)
    common = {"payment_id": payment_id, "rrn": payment.rrn, "payee_vpa": payment.payee_vpa}
    amount = payment.amount_paise
    match outcome:
        case SwitchOutcome.CREDITED:
            return [UpiPaymentCompleted(**common, amount_paise=amount, occurred_at=now)]
        case SwitchOutcome.DECLINED:
            why = reason or "DECLINED by the payee's psp"
            return [UpiPaymentDeclined(**common, amount_paise=amount, reason=why, occurred_at=now)]
    due = reverse_by(payment.debited_at, policy)
    why = reason or "TIMEOUT: no answer from the switch"
    return [UpiPaymentDeemed(**common, amount_paise=amount, reason=why, reverse_by=due, occurred_at=now)]


def decide_reversal(
    state: Vpa, *, payment_id: str, reason: str, now: datetime, policy: PolicyTable
) -> list[DomainEvent]:
    """A DEEMED payment credited back to the payer, with its lateness and compensation."""
    payment = _outbound(state, payment_id, PaymentStatus.DEEMED)
    due = payment.reverse_by or reverse_by(payment.debited_at, policy)
    days, compensation = lateness(payment.debited_at, now, policy)
    reversed_ = UpiPaymentReversed(
        payment_id=payment_id,
        rrn=payment.rrn,
        payee_vpa=payment.payee_vpa,
        amount_paise=payment.amount_paise,
        reason=reason,
        reverse_by=due,
        days_late=days,
        compensation_paise=compensation,
        occurred_at=now,
    )
    return [reversed_]
