"""Payments leaving Bahi at their boundaries: T+1 is the end of the next IST day (a payment at
23:59 IST on 1 Dec is due back before 00:00 IST on 3 Dec; one at 00:00 IST on 2 Dec before
00:00 IST on 4 Dec); a reversal one microsecond before the deadline is on time, at the deadline
one day late (₹100), three IST days after T+1 ₹300 — the figure the policy row in force on the
day of the debit says; the switch's rule by the payee's handle; only a PENDING payment takes the
switch's answer and only a DEEMED one a reversal; a failed payment counts towards no limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from command_service.upi import domain
from command_service.upi.reversal import answer
from shared.policy import PolicyRow, PolicyTable, Unit
from shared.upi import policy as upi
from shared.upi.events import UpiPaymentDeemed, UpiPaymentReversed, UpiPaymentSent, UpiVpaRegistered
from shared.upi.policy import UPI_POLICY
from shared.upi.values import LinkType, PaymentStatus, SwitchOutcome
from tests.support.upi import rupees

IST_2359_1DEC = datetime(2026, 12, 1, 18, 29, tzinfo=UTC)  # 23:59 IST, 1 Dec
IST_0000_2DEC = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 00:00 IST, 2 Dec
END_OF_2DEC_IST = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # 00:00 IST, 3 Dec
END_OF_3DEC_IST = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
_REGISTERED = UpiVpaRegistered(
    vpa="asha@bahi",
    kind="PERSON",
    link_type=LinkType.ACCOUNT,
    link_id="acc-" + "1" * 32,
    customer_id="c",
    occurred_at=IST_2359_1DEC - timedelta(days=3),
)
PAYER = domain.evolve(domain.Vpa(vpa="asha@bahi"), _REGISTERED)


def test_t_plus_1_ends_at_midnight_ist_after_the_next_ist_day() -> None:
    assert domain.reverse_by(IST_2359_1DEC, UPI_POLICY) == END_OF_2DEC_IST
    assert domain.reverse_by(IST_0000_2DEC, UPI_POLICY) == END_OF_3DEC_IST
    assert domain.reverse_by(IST_0000_2DEC - timedelta(microseconds=1), UPI_POLICY) == END_OF_2DEC_IST


def test_a_reversal_before_the_deadline_is_on_time_and_at_it_one_day_late() -> None:
    assert domain.lateness(IST_2359_1DEC, END_OF_2DEC_IST - timedelta(microseconds=1), UPI_POLICY) == (0, 0)
    assert domain.lateness(IST_2359_1DEC, IST_2359_1DEC + timedelta(minutes=1), UPI_POLICY) == (0, 0)
    assert domain.lateness(IST_2359_1DEC, END_OF_2DEC_IST, UPI_POLICY) == (1, rupees(100))
    assert domain.lateness(IST_2359_1DEC, END_OF_3DEC_IST - timedelta(microseconds=1), UPI_POLICY) == (1, rupees(100))
    assert domain.lateness(IST_2359_1DEC, END_OF_2DEC_IST + timedelta(days=2, hours=3), UPI_POLICY) == (3, rupees(300))


def test_the_compensation_is_the_policy_row_in_force_on_the_day_of_the_debit() -> None:
    assert UPI_POLICY.value(upi.LATE_REVERSAL_COMPENSATION, IST_2359_1DEC) == rupees(100)
    assert UPI_POLICY.value(upi.REVERSAL_TAT_DAYS, IST_2359_1DEC) == 1
    later_rows = [
        *(UPI_POLICY.row(rule, IST_2359_1DEC) for rule in upi.FIGURES),
        PolicyRow(upi.LATE_REVERSAL_COMPENSATION, rupees(150), Unit.PAISE, date(2026, 12, 2), "a later circular"),
    ]
    table = PolicyTable(later_rows)
    on_9_dec = END_OF_3DEC_IST + timedelta(days=5)  # 00:00 IST, 9 Dec
    # debited 30 Nov (T+1: 1 Dec), under the ₹100 row: 8 days late
    assert domain.lateness(IST_2359_1DEC - timedelta(days=1), on_9_dec, table) == (8, 8 * rupees(100))
    # debited 3 Dec (T+1: 4 Dec), under the ₹150 row: 5 days late on 9 Dec
    assert domain.lateness(END_OF_2DEC_IST, on_9_dec, table) == (5, 5 * rupees(150))


@pytest.mark.parametrize(
    ("payee", "outcome"),
    [
        ("shop@okaxis", SwitchOutcome.CREDITED),
        ("shop.decline@okaxis", SwitchOutcome.DECLINED),
        ("asha.timeout@ybl", SwitchOutcome.TIMEOUT),
        ("decline.shop@okaxis", SwitchOutcome.CREDITED),  # the suffix decides, not a prefix
        ("timeout@ybl", SwitchOutcome.CREDITED),
    ],
)
def test_the_switch_answers_by_the_payees_handle_the_same_each_time(payee: str, outcome: SwitchOutcome) -> None:
    assert answer(payee)[0] is outcome and answer(payee) == answer(payee)
    assert (answer(payee)[1] is None) == (outcome is SwitchOutcome.CREDITED)


def sent(at: datetime = IST_2359_1DEC, paise: int = rupees(1_000)) -> UpiPaymentSent:
    [event] = domain.decide_outbound_payment(
        PAYER,
        payee_vpa="x.timeout@ybl",
        payment_id="p-1",
        rrn="1",
        amount_paise=paise,
        note=None,
        now=at,
        policy=UPI_POLICY,
    )
    assert isinstance(event, UpiPaymentSent)
    return event


def test_a_payment_leaving_bahi_is_pending_with_no_payee_link_and_counts_as_p2p() -> None:
    event = sent()
    assert (event.status, event.p2p, event.payee_link_type, event.payee_customer_id) == (
        PaymentStatus.PENDING,
        True,
        None,
        None,
    )
    with pytest.raises(domain.UpiLimitError) as refused:
        domain.decide_outbound_payment(
            PAYER,
            payee_vpa="x@ybl",
            payment_id="p-2",
            rrn="2",
            amount_paise=rupees(1_00_000) + 1,
            note=None,
            now=IST_2359_1DEC,
            policy=UPI_POLICY,
        )
    assert refused.value.extra["rule"] == upi.P2P_PER_TXN


def test_only_a_pending_payment_takes_the_switchs_answer_and_only_a_deemed_one_a_reversal() -> None:
    pending = domain.evolve(PAYER, sent())
    with pytest.raises(domain.PaymentNotPendingError):
        domain.decide_reversal(pending, payment_id="p-1", reason="r", now=IST_2359_1DEC, policy=UPI_POLICY)
    [deemed] = domain.decide_switch_answer(
        pending, payment_id="p-1", outcome=SwitchOutcome.TIMEOUT, reason=None, now=IST_2359_1DEC, policy=UPI_POLICY
    )
    assert isinstance(deemed, UpiPaymentDeemed) and deemed.reverse_by == END_OF_2DEC_IST
    state = domain.evolve(pending, deemed)
    assert state.outbound["p-1"].status is PaymentStatus.DEEMED
    with pytest.raises(domain.PaymentNotPendingError):
        domain.decide_switch_answer(
            state, payment_id="p-1", outcome=SwitchOutcome.CREDITED, reason=None, now=IST_2359_1DEC, policy=UPI_POLICY
        )
    [reversed_] = domain.decide_reversal(state, payment_id="p-1", reason="r", now=END_OF_2DEC_IST, policy=UPI_POLICY)
    assert isinstance(reversed_, UpiPaymentReversed)
    assert (reversed_.days_late, reversed_.compensation_paise, reversed_.reverse_by) == (
        1,
        rupees(100),
        END_OF_2DEC_IST,
    )
    done = domain.evolve(state, reversed_)
    assert done.outbound == {}
    with pytest.raises(domain.PaymentNotPendingError):
        domain.decide_reversal(done, payment_id="p-1", reason="r", now=END_OF_2DEC_IST, policy=UPI_POLICY)


def test_a_failed_payment_counts_towards_no_limit_a_completed_one_does() -> None:
    day = "2026-12-02"  # the IST day
    pending = domain.evolve(PAYER, sent(IST_0000_2DEC, rupees(60_000)))
    assert pending.p2p_by_day == {day: rupees(60_000)}
    [declined] = domain.decide_switch_answer(
        pending, payment_id="p-1", outcome=SwitchOutcome.DECLINED, reason=None, now=IST_0000_2DEC, policy=UPI_POLICY
    )
    assert domain.evolve(pending, declined).p2p_by_day == {day: 0}
    [completed] = domain.decide_switch_answer(
        pending, payment_id="p-1", outcome=SwitchOutcome.CREDITED, reason=None, now=IST_0000_2DEC, policy=UPI_POLICY
    )
    assert domain.evolve(pending, completed).p2p_by_day == {day: rupees(60_000)}
    assert domain.evolve(pending, completed).outbound == {}
