"""Copying a frozen dataclass with some fields changed, fast: what `dataclasses.replace` does,
without its per-call field introspection and `__init__` (about 1 us against 6 us for the
bank account's fourteen fields). An aggregate's fold runs one per event, on the command path
(the dispatcher's cache folds every event it appends), so the aggregates' `evolve` use it.

Only for frozen dataclasses without `__post_init__`, `InitVar`s or `init=False` fields: the
copy is the instance's `__dict__` updated, checked against the class's field names.

`blank_of` makes the state a load starts from (every field its default, the id set) the same
way: a loader builds one per load, cached or not, and `__init__` of a frozen dataclass sets each
of its fields through `object.__setattr__` (about 3 us for the bank account, 0.5 us copied)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def _field_names(cls: type[Any]) -> frozenset[str]:
    spec: Any = cls  # a dataclass, once checked
    plain = is_dataclass(cls) and spec.__dataclass_params__.frozen
    if not plain or hasattr(cls, "__post_init__") or any(not f.init for f in fields(spec)):
        raise TypeError(f"{cls.__name__} is not a plain frozen dataclass")
    return frozenset(f.name for f in fields(spec))


def replacer(cls: type[T]) -> Callable[..., T]:
    """`replace(state, **changes)` for instances of the frozen dataclass `cls`."""
    names = _field_names(cls)
    new = object.__new__

    def replace(state: T, **changes: Any) -> T:
        if not changes.keys() <= names:
            raise TypeError(f"{cls.__name__} has no field {sorted(changes.keys() - names)}")
        copy = new(cls)
        copy.__dict__.update(state.__dict__, **changes)
        return copy

    return replace


def blank_of(cls: type[T], name: str) -> Callable[[Any], T]:
    """`blank(value)`: equal to `cls(**{name: value})`, every other field its default, for the
    frozen dataclass `cls` whose fields all have defaults. The defaults are one instance's, shared
    by every blank, as a `replace` shares the fields it leaves: states are never changed in place."""
    if name not in _field_names(cls):
        raise TypeError(f"{cls.__name__} has no field {name!r}")
    defaults = vars(cls())
    new = object.__new__

    def blank(value: Any) -> T:
        copy = new(cls)
        state = copy.__dict__
        state.update(defaults)
        state[name] = value
        return copy

    return blank
