"""The table a timed process manager keeps its watches in: one row per thing it waits on (a
hold, an external transfer, a payment leaving Bahi), keyed by two ids, with a stage (DONE when
finished), a due time and the version of the stream it last saw. PostgreSQL for the services and
an in-memory fake for unit tests, with the same behaviour (each manager's contract suite runs
against both: tests/contracts/test_*_watch_contract.py).

A watch is a frozen dataclass; its fields are the table's columns (ids and text, integers,
times, `StrEnum`s; `X | None` ones may be null). `save` writes a watch only when newer than the
stored one (by the version), so a redelivered event changes nothing; `move` takes a watch on to
another stage, if it is still at the stage the manager acted on (compare and set), so a tick
acting on a stale read never undoes what an event taught the consumer meanwhile.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any, Generic, TypeVar

import asyncpg

DONE = "DONE"

W = TypeVar("W")

_SQL = {str: "text", int: "bigint", datetime: "timestamptz"}


@dataclass(frozen=True)
class _Column:
    name: str
    sql: str
    nullable: bool
    decode: Callable[[Any], Any] | None


def _column(name: str, hint: Any) -> _Column:
    args = typing.get_args(hint)
    nullable = (typing.get_origin(hint) in (typing.Union, types.UnionType)) and type(None) in args
    base = next(a for a in args if a is not type(None)) if nullable else hint
    if isinstance(base, type) and issubclass(base, Enum):
        return _Column(name, "text", nullable, base)
    return _Column(name, _SQL[base], nullable, None)


@dataclass(frozen=True)
class WatchTable(Generic[W]):
    table: str
    kind: type[W]
    """The watch: a frozen dataclass whose fields are the columns."""
    keys: tuple[str, str]
    lock: int
    """Serialises concurrent starters' CREATE statements (one advisory lock number per table)."""
    stage: str = "state"
    due: str = "due_at"

    @cached_property
    def columns(self) -> list[_Column]:
        hints = typing.get_type_hints(self.kind)
        return [_column(f.name, hints[f.name]) for f in dataclasses.fields(self.kind)]  # type: ignore[arg-type]

    def schema(self) -> str:
        cols = ",\n".join(f"    {c.name} {c.sql}{'' if c.nullable else ' NOT NULL'}" for c in self.columns)
        k1, k2 = self.keys
        return f"""CREATE TABLE IF NOT EXISTS {self.table} (
{cols},
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY ({k1}, {k2})
);
CREATE INDEX IF NOT EXISTS {self.table}_due ON {self.table} ({self.due}, {k1}, {k2}) WHERE {self.stage} <> '{DONE}';
"""

    def row(self, watch: W) -> list[Any]:
        return [_stored(getattr(watch, c.name)) for c in self.columns]

    def watch(self, record: Any) -> W:
        values = {c.name: record[c.name] for c in self.columns}
        for c in self.columns:
            if c.decode is not None and values[c.name] is not None:
                values[c.name] = c.decode(values[c.name])
        return self.kind(**values)

    def key(self, watch: W) -> tuple[str, str]:
        return getattr(watch, self.keys[0]), getattr(watch, self.keys[1])

    def stage_of(self, watch: W) -> str:
        return str(_stored(getattr(watch, self.stage)))

    def order(self, watch: W) -> tuple[Any, str, str]:
        return (getattr(watch, self.due), *self.key(watch))


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class PostgresWatches(Generic[W]):
    def __init__(self, pool: asyncpg.Pool, spec: WatchTable[W]) -> None:
        self._pool = pool
        self._spec = spec

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self._spec.lock)
            await conn.execute(self._spec.schema())

    async def get(self, key1: str, key2: str) -> W | None:
        s = self._spec
        where = f"{s.keys[0]} = $1 AND {s.keys[1]} = $2"
        row = await self._pool.fetchrow(f"SELECT * FROM {s.table} WHERE {where}", key1, key2)
        return s.watch(row) if row else None

    async def save(self, watch: W) -> None:
        """Insert or replace, unless the stored watch has seen this version or a later one."""
        s = self._spec
        names = [c.name for c in s.columns]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in s.keys)
        await self._pool.execute(
            f"""INSERT INTO {s.table} ({", ".join(names)}) VALUES ({", ".join(f"${i + 1}" for i in range(len(names)))})
                ON CONFLICT ({", ".join(s.keys)}) DO UPDATE SET {updates}, updated_at = now()
                WHERE {s.table}.version < excluded.version""",
            *s.row(watch),
        )

    async def due(self, now: datetime, limit: int) -> list[W]:
        """The watches not DONE due by `now`: earliest first, then by their ids."""
        s = self._spec
        rows = await self._pool.fetch(
            f"""SELECT * FROM {s.table} WHERE {s.stage} <> '{DONE}' AND {s.due} <= $1
                ORDER BY {s.due}, {s.keys[0]}, {s.keys[1]} LIMIT $2""",
            now,
            limit,
        )
        return [s.watch(row) for row in rows]

    async def move(
        self,
        key: tuple[str, str],
        to: str,
        *,
        expected: str | None = None,
        due_at: datetime | None = None,
        outcome: str | None = None,
    ) -> bool:
        """Take the watch to stage `to` (and `due_at`, `outcome` where given), if it is at stage
        `expected` (None: whatever its stage); False if it was not (or is not there)."""
        s = self._spec
        sets, args = [f"{s.stage} = $3"], [*key, to]  # type: list[str], list[Any]
        for column, value in ((s.due, due_at), ("outcome", outcome)):
            if value is not None:
                args.append(value)
                sets.append(f"{column} = ${len(args)}")
        where = f"{s.keys[0]} = $1 AND {s.keys[1]} = $2"
        if expected is not None:
            args.append(expected)
            where += f" AND {s.stage} = ${len(args)}"
        status = await self._pool.execute(
            f"UPDATE {s.table} SET {', '.join(sets)}, updated_at = now() WHERE {where}", *args
        )
        return bool(status.endswith(" 1"))

    async def count_waiting(self) -> dict[str, int]:
        """How many watches wait at each stage (DONE left out)."""
        s = self._spec
        rows = await self._pool.fetch(
            f"SELECT {s.stage} AS stage, count(*) AS n FROM {s.table} WHERE {s.stage} <> '{DONE}' GROUP BY 1"
        )
        return {str(row["stage"]): int(row["n"]) for row in rows}


class InMemoryWatches(Generic[W]):
    def __init__(self, spec: WatchTable[W]) -> None:
        self._spec = spec
        self.watches: dict[tuple[str, str], W] = {}

    async def get(self, key1: str, key2: str) -> W | None:
        return self.watches.get((key1, key2))

    async def save(self, watch: W) -> None:
        key = self._spec.key(watch)
        current = self.watches.get(key)
        if current is None or current.version < watch.version:  # type: ignore[attr-defined]
            self.watches[key] = watch

    async def due(self, now: datetime, limit: int) -> list[W]:
        s = self._spec
        due = [w for w in self.watches.values() if s.stage_of(w) != DONE and getattr(w, s.due) <= now]
        return sorted(due, key=s.order)[:limit]

    async def move(
        self,
        key: tuple[str, str],
        to: str,
        *,
        expected: str | None = None,
        due_at: datetime | None = None,
        outcome: str | None = None,
    ) -> bool:
        s = self._spec
        current = self.watches.get(key)
        if current is None or (expected is not None and s.stage_of(current) != expected):
            return False
        stage_type = next(c.decode for c in s.columns if c.name == s.stage)
        changes: dict[str, Any] = {s.stage: stage_type(to) if stage_type is not None else to}
        if due_at is not None:
            changes[s.due] = due_at
        if outcome is not None:
            changes["outcome"] = outcome
        self.watches[key] = dataclasses.replace(current, **changes)  # type: ignore[type-var]
        return True

    async def count_waiting(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for watch in self.watches.values():
            stage = self._spec.stage_of(watch)
            if stage != DONE:
                counts[stage] = counts.get(stage, 0) + 1
        return counts
