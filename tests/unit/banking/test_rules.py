"""Every banking rule at its boundary, on the pure domain: the figure exactly passes, one paisa
beyond it is refused naming the rule, its figure and what would have passed (`allowed_paise`, or
`minimum_paise` for the RTGS floor)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from command_service.banking import domain
from shared.banking import policy as bank
from shared.banking.values import AccountType, DepositMode, Outcome, Rail
from tests.support.banking import OTHER_IFSC, T0, opened, rupees

POLICY = bank.BANK_POLICY
BSBD = AccountType.BSBD


def deposit(state: domain.Account, paise: int, at: datetime = T0) -> domain.Account:
    events = domain.decide_deposit(
        state, txn_id="d", amount_paise=paise, mode=DepositMode.CASH, narration="n", now=at, policy=POLICY
    )
    return domain.fold(state, events)


def withdraw(state: domain.Account, paise: int, at: datetime = T0) -> domain.Account:
    events = domain.decide_withdraw(
        state, txn_id="w", amount_paise=paise, mode=DepositMode.CASH, narration="n", now=at, policy=POLICY
    )
    return domain.fold(state, events)


def send(
    state: domain.Account,
    paise: int,
    rail: Rail = Rail.NEFT,
    at: datetime = T0,
    to: str = "50100012345678",
    tid: str | None = None,
) -> domain.Account:
    events = domain.decide_external_transfer(
        state,
        transfer_id=tid or f"t-{uuid4().hex}",
        rail=rail,
        to_account_number=to,
        to_ifsc=OTHER_IFSC,
        amount_paise=paise,
        narration=None,
        now=at,
        policy=POLICY,
    )
    return domain.fold(state, events)


def refused(rule: str, allowed: int | None = None, minimum: int | None = None) -> Any:
    def check(error: domain.PolicyRefusedError) -> bool:
        assert error.status == 422 and error.extra["rule"] == rule, error.extra
        if allowed is not None:
            assert error.extra["allowed_paise"] == allowed, error.extra
        if minimum is not None:
            assert error.extra["minimum_paise"] == minimum, error.extra
        return True

    return pytest.raises(domain.PolicyRefusedError, check=check)


def rich(kind: AccountType = AccountType.SAVINGS) -> domain.Account:
    return deposit(opened(kind), rupees(10_00_000))


def paid_before(to: str) -> domain.Account:
    """A rich account that paid `to` ₹1 three days ago: the new-payee window is closed."""
    early = T0 - timedelta(days=5)
    return send(deposit(opened(at=early), rupees(10_00_000) + 1, early), 1, Rail.NEFT, T0 - timedelta(days=3), to)


def test_rtgs_below_two_lakh_is_refused_naming_the_floor_and_two_lakh_passes() -> None:
    state = paid_before("50100000000001")
    with refused(bank.RTGS_MIN, minimum=rupees(2_00_000)):
        send(state, rupees(2_00_000) - 1, Rail.RTGS, to="50100000000001", tid="rtgs")
    after = send(state, rupees(2_00_000), Rail.RTGS, to="50100000000001", tid="rtgs")
    assert after.balance_paise == rupees(8_00_000) and after.pending["rtgs"].rail is Rail.RTGS


def test_imps_up_to_five_lakh_passes_and_a_paisa_more_is_refused() -> None:
    known = paid_before("50100012345678")
    with refused(bank.IMPS_MAX, allowed=rupees(5_00_000)):
        send(known, rupees(5_00_000) + 1, Rail.IMPS)
    assert send(known, rupees(5_00_000), Rail.IMPS).balance_paise == rupees(5_00_000)


def test_a_new_payee_takes_at_most_50_000_in_its_first_24_hours_then_no_cap() -> None:
    state = rich()
    with refused(bank.NEW_PAYEE_WINDOW_MAX, allowed=rupees(50_000)):
        send(state, rupees(50_000) + 1)
    first = send(state, rupees(30_000))
    with refused(bank.NEW_PAYEE_WINDOW_MAX, allowed=rupees(20_000)):
        send(first, rupees(20_000) + 1, at=T0 + timedelta(hours=23, minutes=59, seconds=59))
    second = send(first, rupees(20_000), at=T0 + timedelta(hours=23), tid="t2")
    with refused(bank.NEW_PAYEE_WINDOW_MAX, allowed=0):
        send(second, 1, at=T0 + timedelta(hours=23, minutes=59), tid="t3")
    later = send(second, rupees(1_00_000), at=T0 + timedelta(hours=24), tid="t4")  # the window has closed
    assert later.balance_paise == rupees(10_00_000 - 1_50_000)


def test_the_new_payee_rule_is_per_beneficiary() -> None:
    first = send(rich(), rupees(50_000))
    other = send(first, rupees(50_000), to="50100087654321", tid="t2")
    assert other.balance_paise == rupees(9_00_000)


def test_no_overdraft_not_even_by_a_paisa() -> None:
    state = deposit(opened(), rupees(1_000))
    with refused(bank.NO_OVERDRAFT, allowed=rupees(1_000)):
        withdraw(state, rupees(1_000) + 1)
    assert withdraw(state, rupees(1_000)).balance_paise == 0
    with refused(bank.NO_OVERDRAFT, allowed=rupees(1_000)):
        send(state, rupees(1_000) + 1)


def test_a_frozen_account_takes_credits_but_no_debits_and_a_closed_one_nothing() -> None:
    state = deposit(opened(), rupees(1_000))
    frozen = domain.fold(state, domain.decide_freeze(state, reason="court order", now=T0))
    assert deposit(frozen, rupees(5)).balance_paise == rupees(1_005)
    with refused(bank.FROZEN_NO_DEBIT, allowed=0):
        withdraw(frozen, 1)
    with refused(bank.FROZEN_NO_DEBIT, allowed=0):
        send(frozen, 1)
    empty = withdraw(state, rupees(1_000))
    closed = domain.fold(empty, domain.decide_close(empty, reason="r", now=T0))
    with refused(bank.CLOSED_NO_CREDIT, allowed=0):
        deposit(closed, 1)
    with refused(bank.CLOSED_NO_DEBIT, allowed=0):
        withdraw(closed, 1)


def test_a_bsbd_balance_is_capped_at_50_000() -> None:
    state = deposit(opened(BSBD), rupees(40_000))
    with refused(bank.BSBD_BALANCE, allowed=rupees(10_000)):
        deposit(state, rupees(10_000) + 1)
    assert deposit(state, rupees(10_000)).balance_paise == rupees(50_000)


def test_bsbd_credits_are_capped_at_one_lakh_a_financial_year_counted_in_ist() -> None:
    april = datetime(2026, 4, 15, 6, 0, tzinfo=UTC)
    state = opened(BSBD, at=april)
    for month in range(7):  # April to October: ₹13,000 in, ₹10,000 out (the most a month lets out)
        at = april + timedelta(days=30 * month)
        state = withdraw(deposit(state, rupees(13_000), at), rupees(10_000), at)
    assert (state.balance_paise, state.credits_by_fy) == (rupees(21_000), {"FY2026-27": rupees(91_000)})
    last = datetime(2027, 3, 31, 18, 29, 59, tzinfo=UTC)  # 23:59:59 IST on 31 March: still FY2026-27
    with refused(bank.BSBD_CREDITS_PER_FY, allowed=rupees(9_000)):
        deposit(state, rupees(9_000) + 1, last)
    full = deposit(state, rupees(9_000), last)
    with refused(bank.BSBD_CREDITS_PER_FY, allowed=0):
        deposit(full, 1, last)
    first = last + timedelta(seconds=1)  # 00:00 IST on 1 April: FY2027-28
    assert deposit(full, rupees(1), first).credits_by_fy == {"FY2026-27": rupees(1_00_000), "FY2027-28": rupees(1)}


def test_bsbd_debits_are_capped_at_10_000_a_month_counted_in_ist() -> None:
    end = datetime(2026, 11, 30, 18, 29, 59, tzinfo=UTC)  # 23:59:59 IST on 30 November
    state = deposit(opened(BSBD), rupees(40_000))
    state = withdraw(state, rupees(6_000), end - timedelta(days=3))
    with refused(bank.BSBD_DEBITS_PER_MONTH, allowed=rupees(4_000)):
        withdraw(state, rupees(4_000) + 1, end)
    with refused(bank.BSBD_DEBITS_PER_MONTH, allowed=rupees(4_000)):
        send(state, rupees(4_000) + 1, at=end)
    spent = withdraw(state, rupees(4_000), end)
    december = end + timedelta(seconds=1)
    assert withdraw(spent, rupees(10_000), december).debits_by_month["2026-12"] == rupees(10_000)


def test_a_returned_transfer_gives_back_its_months_bsbd_debits() -> None:
    state = deposit(opened(BSBD), rupees(40_000))
    sent = send(state, rupees(10_000), to="50100000000000", tid="t")
    with refused(bank.BSBD_DEBITS_PER_MONTH, allowed=0):
        withdraw(sent, 1)
    back = domain.fold(
        sent,
        domain.decide_settle(
            sent, transfer_id="t", outcome=Outcome.RETURNED, reason="r", batch_id=None, utr="U1", now=T0
        ),
    )
    assert back.balance_paise == rupees(40_000) and not back.pending
    assert withdraw(back, rupees(10_000)).balance_paise == rupees(30_000)


def test_other_account_types_have_no_bsbd_caps() -> None:
    state = deposit(opened(AccountType.CURRENT), rupees(5_00_000))
    assert withdraw(state, rupees(4_00_000)).balance_paise == rupees(1_00_000)


def test_a_transfer_to_the_account_itself_is_refused_naming_the_field() -> None:
    state = rich()
    with pytest.raises(domain.InvalidRequestError) as raised:
        domain.decide_external_transfer(
            state,
            transfer_id="t",
            rail=Rail.NEFT,
            to_account_number=state.account_number,
            to_ifsc=state.branch_ifsc,
            amount_paise=1,
            narration=None,
            now=T0,
            policy=POLICY,
        )
    assert raised.value.status == 422 and raised.value.extra["field"] == "to_account_number"
    with pytest.raises(domain.InvalidRequestError):
        domain.decide_internal_transfer(
            state, state, transfer_id="t", amount_paise=1, narration=None, now=T0, policy=POLICY
        )


def test_an_internal_transfer_is_refused_by_the_receivers_rules_naming_the_receiver() -> None:
    sender = rich()
    receiver = deposit(opened(BSBD, "acc-" + "1" * 32), rupees(45_000))
    with pytest.raises(domain.PolicyRefusedError) as raised:
        domain.decide_internal_transfer(
            sender, receiver, transfer_id="t", amount_paise=rupees(5_000) + 1, narration=None, now=T0, policy=POLICY
        )
    problem = raised.value.extra
    assert (problem["rule"], problem["account_id"], problem["allowed_paise"]) == (
        bank.BSBD_BALANCE,
        receiver.account_id,
        rupees(5_000),
    )


def test_closing_needs_a_zero_balance_and_nothing_with_the_clearing() -> None:
    state = rich()
    with pytest.raises(domain.ClosingError) as raised:
        domain.decide_close(state, reason="r", now=T0)
    assert raised.value.extra["balance_paise"] == rupees(10_00_000)
    pending = withdraw(send(state, rupees(1_000), tid="t"), rupees(10_00_000) - rupees(1_000))
    with pytest.raises(domain.ClosingError) as raised:
        domain.decide_close(pending, reason="r", now=T0)
    assert raised.value.extra["transfer_ids"] == ["t"]
