"""The upi domain's rules at their boundaries: the VPA grammar (60 characters before `@` pass, 61
do not), the P2P caps (₹1,00,000 passes, ₹1,00,000.01 does not; per IST day), the new-VPA window
(₹5,000 within 24 h of registration, then free), P2M not capped by the P2P rows, and the RRN."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from command_service.upi import domain
from command_service.upi.commands import PayByUpi, RegisterVpa
from shared.upi import policy as upi
from shared.upi.events import UpiPaymentSent, UpiVpaRegistered
from shared.upi.policy import UPI_POLICY
from shared.upi.values import LinkType, VpaKind, is_vpa
from tests.support.upi import T0, rupees

ACCOUNT = "acc-" + "1" * 32
WALLET = "wal-" + "2" * 32


def registered(
    vpa: str, kind: VpaKind = VpaKind.PERSON, link: tuple[LinkType, str] = (LinkType.ACCOUNT, ACCOUNT)
) -> domain.Vpa:
    event = UpiVpaRegistered(vpa=vpa, kind=kind, link_type=link[0], link_id=link[1], customer_id="c", occurred_at=T0)
    return domain.evolve(domain.Vpa(vpa=vpa), event)


PAYER = registered("asha@bahi")
PAYEE = registered("ravi@bahi", link=(LinkType.WALLET, WALLET))
SHOP = registered("shop@bahi", VpaKind.MERCHANT, (LinkType.WALLET, "wal-" + "3" * 32))
LATER = T0 + timedelta(days=2)


def pay(payer: domain.Vpa, paise: int, at=LATER, payee: domain.Vpa = PAYEE) -> list:
    return domain.decide_payment(
        payer, payee, payment_id="p-1", rrn="630810000001", amount_paise=paise, note=None, now=at, policy=UPI_POLICY
    )


def refused_rule(payer: domain.Vpa, paise: int, at=LATER, payee: domain.Vpa = PAYEE) -> tuple[str, int]:
    with pytest.raises(domain.UpiLimitError) as refused:
        pay(payer, paise, at, payee)
    return refused.value.extra["rule"], refused.value.extra["allowed_paise"]


@pytest.mark.parametrize("vpa", ["a" * 60 + "@bahi", "asha.rao-1_x@bahi", "9876543210@ybl", "a@okaxis", "x@b2"])
def test_a_handle_of_up_to_60_characters_and_a_psp_of_letters_and_digits_pass(vpa: str) -> None:
    assert is_vpa(vpa)
    assert RegisterVpa(vpa=vpa, account_id=ACCOUNT).vpa == vpa


@pytest.mark.parametrize(
    "vpa",
    [
        "a" * 61 + "@bahi",
        "Asha@bahi",
        "asha@Bahi",
        "asha",
        "@bahi",
        "asha@",
        "asha@b",
        "as ha@bahi",
        "asha@ba.hi",
        "asha@@bahi",
        "asha@1bahi",
        "asha+1@bahi",
        "a@" + "b" * 31,
    ],
)
def test_any_other_vpa_is_refused_naming_the_field(vpa: str) -> None:
    assert not is_vpa(vpa)
    with pytest.raises(ValidationError) as refused:
        RegisterVpa(vpa=vpa, account_id=ACCOUNT)
    assert refused.value.errors()[0]["loc"] == ("vpa",)


def test_a_registration_links_exactly_one_account_or_wallet() -> None:
    with pytest.raises(ValidationError):
        RegisterVpa(vpa="asha@bahi")
    with pytest.raises(ValidationError):
        RegisterVpa(vpa="asha@bahi", account_id=ACCOUNT, wallet_id=WALLET)


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100"])
def test_a_payment_amount_is_positive_integer_paise(amount: object) -> None:
    with pytest.raises(ValidationError):
        PayByUpi(payment_id="p-1", payer_vpa="asha@bahi", payee_vpa="ravi@bahi", amount_paise=amount)


def test_p2p_takes_one_lakh_in_one_payment_and_not_a_paisa_more() -> None:
    [sent] = pay(PAYER, rupees(1_00_000))
    assert isinstance(sent, UpiPaymentSent) and sent.p2p and sent.amount_paise == 100_000_00
    assert refused_rule(PAYER, rupees(1_00_000) + 1) == (upi.P2P_PER_TXN, rupees(1_00_000))


def test_p2p_per_ist_day_counts_the_days_payments_and_a_new_ist_day_starts_afresh() -> None:
    day = T0.replace(hour=18, minute=0) + timedelta(days=2)  # 23:30 IST
    after = domain.fold(PAYER, pay(PAYER, rupees(60_000), day))
    assert refused_rule(after, rupees(40_000) + 1, day) == (upi.P2P_PER_DAY, rupees(40_000))
    pay(after, rupees(40_000), day)  # exactly what is left passes
    next_ist_day = day + timedelta(minutes=31)  # 00:01 IST: 18:31 UTC, still the same UTC date
    assert next_ist_day.date() == day.date()
    pay(after, rupees(1_00_000), next_ist_day)


def test_a_new_vpa_sends_at_most_5000_rupees_in_its_first_24_hours() -> None:
    soon = T0 + timedelta(hours=1)
    first = domain.fold(PAYER, pay(PAYER, rupees(3_000), soon))
    assert first.window_sent_paise == rupees(3_000)
    assert refused_rule(first, rupees(2_000) + 1, soon) == (upi.NEW_VPA_WINDOW_MAX, rupees(2_000))
    pay(first, rupees(2_000), soon)
    just_before = T0 + timedelta(hours=24) - timedelta(microseconds=1)
    assert refused_rule(first, rupees(2_000) + 1, just_before)[0] == upi.NEW_VPA_WINDOW_MAX
    at_24h = T0 + timedelta(hours=24)
    [sent] = pay(first, rupees(2_000) + 1, at_24h)
    assert not sent.in_new_vpa_window


def test_the_new_vpa_window_applies_to_merchant_payments_too_but_the_p2p_caps_do_not() -> None:
    assert refused_rule(PAYER, rupees(5_000) + 1, T0, SHOP) == (upi.NEW_VPA_WINDOW_MAX, rupees(5_000))
    [sent] = pay(PAYER, rupees(1_50_000), LATER, SHOP)
    assert not sent.p2p


def test_a_vpa_cannot_pay_itself_or_the_same_account_under_another_name() -> None:
    with pytest.raises(domain.InvalidUpiRequestError) as refused:
        pay(PAYER, 100, payee=PAYER)
    assert refused.value.extra["field"] == "payee_vpa"
    with pytest.raises(domain.InvalidUpiRequestError):
        pay(PAYER, 100, payee=registered("asha2@bahi"))


def test_an_unregistered_payer_or_payee_is_a_404_naming_the_field() -> None:
    with pytest.raises(domain.VpaNotFoundError) as refused:
        pay(domain.Vpa(vpa="nobody@bahi"), 100)
    assert refused.value.extra["field"] == "payer_vpa"
    with pytest.raises(domain.VpaNotFoundError) as refused:
        pay(PAYER, 100, payee=domain.Vpa(vpa="nobody@bahi"))
    assert refused.value.extra["field"] == "payee_vpa"


def test_the_rrn_is_12_digits_the_ist_year_day_and_hour_then_a_serial_of_that_hour() -> None:
    prefix = domain.rrn_prefix(T0)  # 10:30 IST on 2 November 2026, day 306
    assert prefix == "630610"
    assert domain.rrn_of(prefix, 0) == "630610000000"
    assert domain.rrn_of(prefix, 42) == "630610000042"
    assert domain.rrn_of(prefix, domain.RRN_SERIALS - 1) == "630610999999"


@pytest.mark.parametrize("serial", [1_000_000, 1_000_001])
def test_a_serial_outside_the_hours_million_is_refused_as_a_503(serial: int) -> None:
    with pytest.raises(domain.RrnExhaustedError) as refused:
        domain.rrn_of("630610", serial)
    assert refused.value.status == 503


def test_the_rrn_prefix_turns_at_each_ist_hour_and_year_in_whatever_order_moments_come() -> None:
    def prefix(at: datetime) -> str:
        return domain.rrn_prefix(at)

    ist_eleven = T0 + timedelta(minutes=30)  # 05:30 UTC is 11:00 IST
    assert prefix(ist_eleven - timedelta(microseconds=1)) == "630610"
    assert prefix(ist_eleven) == "630611"
    assert prefix(T0) == "630610"  # an earlier moment after a later one
    new_year = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 00:00 IST on 1 January 2027
    assert prefix(new_year - timedelta(microseconds=1)) == "636523"  # day 365 of 2026, 23:00 IST
    assert prefix(new_year) == "700100"
    assert prefix(ist_eleven) == "630611"


def test_every_upi_figure_is_a_row_of_the_policy_table() -> None:
    UPI_POLICY.require(upi.FIGURES)
    assert UPI_POLICY.value(upi.P2P_PER_TXN, T0) == rupees(1_00_000)
    assert UPI_POLICY.value(upi.NEW_VPA_WINDOW_MAX, T0) == rupees(5_000)
    assert UPI_POLICY.value(upi.NEW_VPA_WINDOW, T0) == 86_400
