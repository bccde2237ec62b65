"""Every PPI rule at its boundary, on the pure domain: the figure exactly passes, one paisa
more is refused naming the rule, its figure and what would have passed (`allowed_paise`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from command_service.wallets import domain
from shared.policy import PolicyRow, PolicyTable, Unit
from shared.wallets import policy as ppi
from shared.wallets.values import KycLevel, TopupSource
from tests.support.wallets import T0, opened, rupees

POLICY = ppi.PPI_POLICY
FULL = KycLevel.FULL
RECEIVER = "wal-" + "1" * 32


def top_up(
    state: domain.Wallet,
    paise: int,
    at: datetime = T0,
    source: TopupSource = TopupSource.UPI,
    policy: PolicyTable = POLICY,
) -> domain.Wallet:
    topup_id = f"t-{state.loads_by_fy}"  # any id: the pure domain does not keep them
    events = domain.decide_top_up(
        state, topup_id=topup_id, amount_paise=paise, source=source, reference="r", now=at, policy=policy
    )
    return domain.fold(state, events)


def pay(state: domain.Wallet, paise: int, at: datetime = T0, hold: bool = False) -> domain.Wallet:
    events = domain.decide_pay(
        state,
        payment_id=f"p-{len(state.payments)}",
        merchant_id="m-1",
        amount_paise=paise,
        order_id=None,
        hold=hold,
        now=at,
        policy=POLICY,
        hold_timeout=timedelta(minutes=10),
    )
    return domain.fold(state, events)


def refused(rule: str, allowed: int, limit: int | None = None) -> Any:
    return pytest.raises(domain.PolicyRefusedError, check=lambda e: _matches(e, rule, allowed, limit))


def _matches(error: domain.PolicyRefusedError, rule: str, allowed: int, limit: int | None) -> bool:
    assert error.status == 422
    assert (error.extra["rule"], error.extra["allowed_paise"]) == (rule, allowed), error.extra
    assert limit is None or error.extra["limit_paise"] == limit, error.extra
    return True


def test_minimum_kyc_balance_cap_of_rs_10000() -> None:
    state = top_up(opened(), rupees(10_000))
    assert state.balance_paise == rupees(10_000)
    with refused(ppi.MIN_KYC_BALANCE, allowed=0, limit=rupees(10_000)):
        top_up(state, 1)
    with refused(ppi.MIN_KYC_BALANCE, allowed=rupees(10_000), limit=rupees(10_000)):
        top_up(opened(), rupees(10_000) + 1)


def test_minimum_kyc_loads_of_rs_10000_per_ist_month() -> None:
    state = pay(top_up(opened(), rupees(6_000)), rupees(6_000))  # the balance is back to 0, the loads are not
    with refused(ppi.MIN_KYC_LOADS_PER_MONTH, allowed=rupees(4_000), limit=rupees(10_000)):
        top_up(state, rupees(4_000) + 1)
    state = top_up(state, rupees(4_000))
    last_second_of_march = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)
    with refused(ppi.MIN_KYC_LOADS_PER_MONTH, allowed=0):
        top_up(state, 1, at=last_second_of_march)
    assert top_up(state, 1, at=last_second_of_march + timedelta(seconds=1)).loads_by_month["2025-04"] == 1


def test_minimum_kyc_loads_per_financial_year_counted_april_to_march_in_ist() -> None:
    # With the RBI figures twelve full months reach the yearly limit exactly, so the yearly rule
    # never binds alone; a table with a tighter year shows the boundary.
    tight = PolicyTable(
        [
            *(r for r in ppi.ROWS if r.rule != ppi.MIN_KYC_LOADS_PER_FY),
            PolicyRow(ppi.MIN_KYC_LOADS_PER_FY, rupees(15_000), Unit.PAISE, date(2021, 8, 27), "test"),
        ]
    )
    february = T0 - timedelta(days=30)
    state = opened(at=february)
    state = pay(top_up(state, rupees(10_000), at=february, policy=tight), rupees(10_000), at=february)
    state = top_up(state, rupees(5_000), policy=tight)  # March: the year FY2024-25 has 15,000 now
    last_second = datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC)
    with refused(ppi.MIN_KYC_LOADS_PER_FY, allowed=0, limit=rupees(15_000)):
        top_up(state, 1, at=last_second, policy=tight)
    state = top_up(state, 1, at=last_second + timedelta(seconds=1), policy=tight)
    assert state.loads_by_fy == {"FY2024-25": rupees(15_000), "FY2025-26": 1}


def test_full_kyc_balance_cap_of_rs_2_lakh() -> None:
    state = top_up(opened(FULL), rupees(2_00_000))
    with refused(ppi.FULL_KYC_BALANCE, allowed=0, limit=rupees(2_00_000)):
        top_up(state, 1)


def test_cash_loads_of_rs_50000_per_month_other_sources_unaffected() -> None:
    state = top_up(opened(FULL), rupees(50_000), source=TopupSource.CASH)
    with refused(ppi.CASH_LOADS_PER_MONTH, allowed=0, limit=rupees(50_000)):
        top_up(state, 1, source=TopupSource.CASH)
    assert top_up(state, 1, source=TopupSource.CARD).balance_paise == rupees(50_000) + 1
    next_month = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    assert top_up(state, 1, at=next_month, source=TopupSource.CASH).cash_loads_by_month["2025-04"] == 1


def test_no_overdraft_and_held_money_is_not_available() -> None:
    state = pay(top_up(opened(), rupees(1_000)), rupees(300), hold=True)
    assert (state.balance_paise, state.held_paise, state.available_paise) == (rupees(1_000), rupees(300), rupees(700))
    with refused(ppi.NO_OVERDRAFT, allowed=rupees(700), limit=rupees(700)):
        pay(state, rupees(700) + 1)
    assert pay(state, rupees(700)).available_paise == 0


def test_minimum_kyc_sends_no_p2p_transfer() -> None:
    sender, receiver = top_up(opened(), rupees(100)), opened(FULL, RECEIVER)
    with refused(ppi.MIN_KYC_P2P_OUT, allowed=0, limit=0):
        domain.decide_transfer(sender, receiver, transfer_id="x", amount_paise=1, note=None, now=T0, policy=POLICY)


def transfer(sender: domain.Wallet, receiver: domain.Wallet, paise: int) -> domain.Wallet:
    _, received = domain.decide_transfer(
        sender, receiver, transfer_id="x", amount_paise=paise, note=None, now=T0, policy=POLICY
    )
    return domain.fold(receiver, received)


def test_a_p2p_credit_is_a_load_of_a_minimum_kyc_receiver_within_its_cap() -> None:
    sender = top_up(opened(FULL), rupees(50_000))
    receiver = pay(top_up(opened(wallet_id=RECEIVER), rupees(6_000)), rupees(6_000))
    with refused(ppi.MIN_KYC_LOADS_PER_MONTH, allowed=rupees(4_000)) as caught:
        transfer(sender, receiver, rupees(4_000) + 1)
    assert caught.value.extra["wallet_id"] == RECEIVER  # the receiver's rule, named with its wallet
    assert transfer(sender, receiver, rupees(4_000)).loads_by_month["2025-03"] == rupees(10_000)
    with refused(ppi.MIN_KYC_BALANCE, allowed=rupees(10_000)):
        transfer(sender, opened(wallet_id=RECEIVER), rupees(10_000) + 1)
    full_receiver = top_up(opened(FULL, RECEIVER), rupees(1_95_000))
    with refused(ppi.FULL_KYC_BALANCE, allowed=rupees(5_000)):
        transfer(sender, full_receiver, rupees(5_000) + 1)


def refund(state: domain.Wallet, payment_id: str, paise: int, refund_id: str = "r-1") -> domain.Wallet:
    events = domain.decide_refund(
        state, refund_id=refund_id, payment_id=payment_id, amount_paise=paise, now=T0, policy=POLICY
    )
    return domain.fold(state, events)


def test_refunds_never_exceed_the_captured_amount_and_are_not_loads() -> None:
    state = pay(top_up(opened(), rupees(10_000)), rupees(10_000))  # the month's loads are used up
    [payment_id] = state.payments
    state = refund(state, payment_id, rupees(6_000))
    assert state.loads_by_month["2025-03"] == rupees(10_000)  # a refund is not a load
    with refused(ppi.REFUND_WITHIN_CAPTURED, allowed=rupees(4_000), limit=rupees(10_000)):
        refund(state, payment_id, rupees(4_000) + 1, refund_id="r-2")
    assert refund(state, payment_id, rupees(4_000), refund_id="r-2").balance_paise == rupees(10_000)


def test_a_refund_that_would_lift_the_balance_over_the_cap_is_refused() -> None:
    state = pay(top_up(opened(FULL), rupees(2_00_000)), rupees(50_000))
    [payment_id] = state.payments
    state = top_up(state, rupees(50_000))  # back at the cap
    with refused(ppi.FULL_KYC_BALANCE, allowed=0):
        refund(state, payment_id, 1)


def test_a_frozen_wallet_takes_credits_but_no_debit_and_a_closed_one_takes_nothing() -> None:
    state = top_up(opened(), rupees(100))
    frozen = domain.fold(state, domain.decide_freeze(state, reason="dispute", now=T0))
    with refused(ppi.FROZEN_NO_DEBIT, allowed=0, limit=0):
        pay(frozen, 1)
    assert top_up(frozen, 1).balance_paise == rupees(100) + 1
    empty = opened()
    closed = domain.fold(empty, domain.decide_close(empty, reason="bye", to_bank_account=None, now=T0, policy=POLICY))
    with refused(ppi.CLOSED_NO_CREDIT, allowed=0):
        top_up(closed, 1)
    with refused(ppi.CLOSED_NO_DEBIT, allowed=0):
        pay(closed, 1)


def test_twelve_full_months_reach_the_rs_1_20_000_year_exactly() -> None:
    april = datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
    state = opened(at=april)
    for month in range(12):
        at = april + timedelta(days=31 * month)
        state = pay(top_up(state, rupees(10_000), at=at), rupees(10_000), at=at)
    assert state.loads_by_fy == {"FY2024-25": rupees(1_20_000)}
    with refused(ppi.MIN_KYC_LOADS_PER_MONTH, allowed=0):  # the year is full too: the month names it first
        top_up(state, 1, at=datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC))


def test_a_change_of_policy_is_a_new_row_in_force_from_its_ist_date() -> None:
    raised = PolicyTable(
        [*ppi.ROWS, PolicyRow(ppi.MIN_KYC_BALANCE, rupees(12_000), Unit.PAISE, date(2025, 4, 1), "a later circular")]
    )
    state = opened(at=T0)
    state = top_up(state, rupees(10_000), policy=raised)
    with refused(ppi.MIN_KYC_BALANCE, allowed=0, limit=rupees(10_000)):
        top_up(state, 1, at=datetime(2025, 3, 31, 18, 29, 59, tzinfo=UTC), policy=raised)
    april = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    assert top_up(state, rupees(2_000), at=april, policy=raised).balance_paise == rupees(12_000)
