"""`shared.frozen.replacer`: the same copy as `dataclasses.replace`, refusing what it would refuse."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from command_service.banking.domain.state import Account
from shared.banking.values import AccountStatus
from shared.frozen import blank_of, replacer


@dataclass(frozen=True)
class Point:
    x: int = 0
    y: int = 0
    tags: dict[str, int] = field(default_factory=dict)


def test_a_copy_equals_dataclasses_replace_and_leaves_the_original_as_it_was() -> None:
    replace = replacer(Point)
    original = Point(1, 2, {"a": 1})
    copy = replace(original, y=5)
    assert copy == dataclasses.replace(original, y=5) == Point(1, 5, {"a": 1})
    assert original == Point(1, 2, {"a": 1}) and type(copy) is Point
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.x = 3  # type: ignore[misc]


def test_the_account_copies_as_replace_does() -> None:
    account = Account(account_id="acc-1", balance_paise=500, status=AccountStatus.ACTIVE)
    assert replacer(Account)(account, balance_paise=0) == dataclasses.replace(account, balance_paise=0)


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match=r"Point has no field \['z'\]"):
        replacer(Point)(Point(), z=1)


@dataclass(frozen=True)
class Derived:
    x: int = 0
    twice: int = field(init=False, default=0)


@dataclass(frozen=True)
class Checked:
    x: int = 0

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("negative")


@dataclass
class Mutable:
    x: int = 0


@pytest.mark.parametrize("cls", [Derived, Checked, Mutable, int])
def test_what_a_dict_copy_would_get_wrong_is_refused_when_the_replacer_is_made(cls: type) -> None:
    with pytest.raises(TypeError, match="not a plain frozen dataclass"):
        replacer(cls)


def test_a_blank_equals_the_class_built_with_its_id_and_every_default() -> None:
    blank = blank_of(Account, "account_id")
    made = blank("acc-7")
    assert made == Account(account_id="acc-7") and type(made) is Account
    assert blank("acc-8").account_id == "acc-8" and made.account_id == "acc-7"  # each its own
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.balance_paise = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        blank_of(Account, "no_such_field")
    with pytest.raises(TypeError):
        blank_of(Point, "z")
