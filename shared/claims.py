"""Refusing two claims on one name: what every registry (events, stream types, read models,
commands, routes, projections) does when it merges the contexts' manifests at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class DuplicateClaimError(ValueError):
    """Two contexts claim one name; the message names the kind, the name and both claimants."""

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        super().__init__(f"{kind} {name!r} is claimed by both {first!r} and {second!r}")
        self.kind, self.name, self.claimants = kind, name, (first, second)


class Claims(Generic[V]):
    """Names of one kind, each owned by one context. Claiming the same value twice under the same
    owner is harmless (a manifest merged again); anything else on a taken name is refused."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._values: dict[str, V] = {}
        self._owners: dict[str, str] = {}

    def claim(self, name: str, owner: str, value: V) -> None:
        first = self._owners.get(name)
        if first is not None and (first != owner or self._values[name] is not value):
            raise DuplicateClaimError(self.kind, name, first, owner)
        self._values[name] = value
        self._owners[name] = owner

    def owner(self, name: str) -> str:
        return self._owners[name]

    def get(self, name: str) -> V | None:
        return self._values.get(name)

    def __getitem__(self, name: str) -> V:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def items(self) -> list[tuple[str, V]]:
        return list(self._values.items())

    def values(self) -> list[V]:
        return list(self._values.values())
