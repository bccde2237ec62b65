"""The minimum-balance charge of a SAVINGS account, on the pure domain: the month's average of
end-of-day balances (IST days, from the opening day), the shortfall times the rate up to the
maximum, never more than the balance (the rest waived), once a month, never on BSBD or CURRENT,
never for a month that has not ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command_service.banking import domain
from shared.banking import policy as bank
from shared.banking.events import AccountMinimumBalanceCharged
from shared.banking.values import AccountType, DepositMode
from tests.support.banking import T0, opened, rupees

POLICY = bank.BANK_POLICY
DECEMBER = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def move(state: domain.Account, paise: int, at: datetime) -> domain.Account:
    """A deposit (paise > 0) or a withdrawal (paise < 0) at `at`."""
    body = {"txn_id": "x", "mode": DepositMode.CASH, "narration": "n", "now": at, "policy": POLICY}
    decide = domain.decide_deposit if paise > 0 else domain.decide_withdraw
    return domain.fold(state, decide(state, amount_paise=abs(paise), **body))


def charge(
    state: domain.Account, month: str = "2026-11", at: datetime = DECEMBER
) -> list[AccountMinimumBalanceCharged]:
    events = domain.decide_minimum_balance_charge(state, month=month, now=at, policy=POLICY)
    assert all(isinstance(e, AccountMinimumBalanceCharged) for e in events)
    return events  # type: ignore[return-value]


def ist(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment of November 2026 in IST (UTC+05:30), as UTC."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=5, minutes=30)


def test_the_average_is_of_end_of_day_balances_from_the_opening_day_rounded_up() -> None:
    state = move(opened(at=T0), rupees(5_000), ist(2))  # opened on 2 November
    state = move(state, -rupees(5_000), ist(16))
    # days 2..15 close at ₹5,000 (14 days), days 16..30 at 0 (15 days): 7,000,000 / 29 paise, rounded up
    assert domain.average_balance(state, "2026-11") == -(-rupees(5_000) * 14 // 29) == 241_380
    assert domain.average_balance(state, "2026-10") is None  # not open yet
    assert domain.average_balance(state, "2026-12") == 0  # no event in December: its balance all month


def test_a_day_ends_at_midnight_ist() -> None:
    base = move(opened(at=ist(1, 0, 1)), rupees(10_000), ist(1, 0, 2))
    late = move(base, -rupees(10_000), ist(15, 23, 59, 59))  # still 15 November: day 15 closes at 0
    early = move(base, -rupees(10_000), ist(16, 0, 0, 0))  # 16 November: day 15 closes at ₹10,000
    assert domain.average_balance(late, "2026-11") == -(-rupees(10_000) * 14 // 30)
    assert domain.average_balance(early, "2026-11") == -(-rupees(10_000) * 15 // 30)


def test_the_required_average_exactly_is_no_charge_and_below_it_is_charged_by_the_shortfall() -> None:
    kept = move(opened(at=ist(1, 0, 1)), rupees(10_000), ist(1, 0, 2))
    assert charge(kept) == []
    short = move(opened(at=ist(1, 0, 1)), rupees(9_000), ist(1, 0, 2))
    [event] = charge(short)
    assert (event.average_balance_paise, event.shortfall_paise) == (rupees(9_000), rupees(1_000))
    assert (event.computed_paise, event.charged_paise, event.waived_paise) == (rupees(60), rupees(60), 0)
    assert event.balance_after_paise == rupees(9_000 - 60)


def test_the_charge_is_at_most_the_tariffs_maximum() -> None:
    state = move(opened(at=ist(1, 0, 1)), rupees(1_000), ist(1, 0, 2))  # ₹9,000 short: 6% is ₹540
    [event] = charge(state)
    assert (event.computed_paise, event.charged_paise) == (rupees(500), rupees(500))


def test_the_charge_never_takes_the_balance_below_zero() -> None:
    state = move(move(opened(at=ist(1, 0, 1)), rupees(100), ist(1, 0, 2)), -rupees(90), ist(20))
    [event] = charge(state)
    assert (
        event.computed_paise == rupees(500) and event.charged_paise == rupees(10) and event.waived_paise == rupees(490)
    )
    after = domain.fold(state, [event])
    assert after.balance_paise == 0 and after.charged_months == {"2026-11": rupees(10)}
    empty = move(state, -rupees(10), ist(21))
    [nothing] = charge(empty)
    assert (nothing.charged_paise, nothing.waived_paise, nothing.balance_after_paise) == (0, rupees(500), 0)


def test_a_month_is_charged_once() -> None:
    state = move(opened(at=ist(1, 0, 1)), rupees(1_000), ist(1, 0, 2))
    charged = domain.fold(state, charge(state))
    with pytest.raises(domain.AlreadyChargedError):
        charge(charged)


@pytest.mark.parametrize("kind", [AccountType.BSBD, AccountType.CURRENT])
def test_no_charge_on_bsbd_or_current_accounts(kind: AccountType) -> None:
    with pytest.raises(domain.ChargeRefusedError) as raised:
        charge(opened(kind, at=ist(1)))
    assert raised.value.status == 422 and raised.value.extra["rule"] == bank.CHARGE_SAVINGS_ONLY


def test_a_month_that_has_not_ended_in_ist_is_refused_naming_the_field() -> None:
    state = opened(at=ist(1))
    last_moment = datetime(2026, 11, 30, 18, 29, 59, tzinfo=UTC)  # 23:59:59 IST on 30 November
    with pytest.raises(domain.InvalidRequestError) as raised:
        charge(state, at=last_moment)
    assert raised.value.extra["field"] == "month"
    assert charge(state, at=last_moment + timedelta(seconds=1))  # 00:00 IST on 1 December: ended
    with pytest.raises(domain.InvalidRequestError):
        charge(state, month="2026-10")  # not open then


def test_a_frozen_account_is_not_charged() -> None:
    state = move(opened(at=ist(1, 0, 1)), rupees(1_000), ist(1, 0, 2))
    frozen = domain.fold(state, domain.decide_freeze(state, reason="r", now=ist(20)))
    with pytest.raises(domain.PolicyRefusedError) as raised:
        charge(frozen)
    assert raised.value.extra["rule"] == bank.FROZEN_NO_DEBIT
