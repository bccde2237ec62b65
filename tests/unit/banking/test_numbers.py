"""Account numbers: 14 digits, this bank's leading digit, a Luhn check digit; derived from the
account id (the same id proposes the same candidates) and unique because each is claimed in
the store in the opening's own append: a number claimed by another account is skipped."""

from __future__ import annotations

import pytest

from command_service.banking import commands as c
from command_service.banking import domain
from command_service.banking.domain.numbers import luhn_digit
from command_service.event_store import NO_STREAM, AppendStream
from command_service.handling import new_events
from shared.banking.events import AccountNumberClaimed
from shared.banking.streams import ACCOUNT_NUMBER, number_stream_id
from shared.envelope import EventMetadata
from tests.support.banking import IFSC, T0, BankWorld, new_id


def test_the_luhn_digit_of_the_textbook_example() -> None:
    assert luhn_digit("7992739871") == "3"
    assert domain.luhn_valid("79927398713") and not domain.luhn_valid("79927398714")


@pytest.mark.parametrize("account_id", [new_id() for _ in range(20)])
def test_a_candidate_is_14_digits_led_by_7_with_its_check_digit(account_id: str) -> None:
    number = domain.candidate(account_id, 0)
    assert len(number) == 14 and number.isdigit() and number[0] == "7" and domain.luhn_valid(number)
    assert domain.candidate(account_id, 0) == number != domain.candidate(account_id, 1)


def test_one_mistyped_digit_fails_the_check() -> None:
    number = domain.candidate(new_id(), 0)
    for position in range(1, len(number)):
        wrong = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]
        assert not domain.luhn_valid(wrong)


async def test_a_number_claimed_by_another_account_is_skipped_for_the_next_candidate() -> None:
    world = BankWorld()
    account_id = new_id()
    taken = domain.candidate(account_id, 0)
    claim = AccountNumberClaimed(account_number=taken, account_id=new_id(), occurred_at=T0)
    stream = AppendStream(number_stream_id(taken), ACCOUNT_NUMBER.name, NO_STREAM, new_events([claim], EventMetadata()))
    await world.store.append([stream])
    command = c.OpenAccount(customer_id="cust-1", holder_name="Asha Rao", type="SAVINGS", branch_ifsc=IFSC)
    outcome = await world.run(command, account_id)
    assert outcome.response["account_number"] == domain.candidate(account_id, 1)
    [claimed] = await world.events(number_stream_id(domain.candidate(account_id, 1)))
    assert isinstance(claimed, AccountNumberClaimed) and claimed.account_id == account_id
