"""`Dispatcher`: every command goes through it the same way — idempotency, If-Match,
bounded retry of concurrency conflicts, one atomic append.

Handlers are plain `async def`s, the typed command first and what they need keyword-only,
injected by parameter name (as cosmicpython's bootstrap does): `store`, `clock`, `load`
(the aggregate loader), a context's own dependencies (its policy, its limits table), and,
per request, `target_id` and `metadata`. A handler asking for a name nobody provides is
refused when the dispatcher is built, not on its first request.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from command_service.event_store import (
    ConcurrencyError,
    ConsistencyToken,
    DuplicateIdempotencyKeyError,
    EventStore,
    IdempotencyRecord,
)
from command_service.handling.cache import advance
from command_service.handling.decisions import Command, Decision, Envelope
from command_service.handling.loading import Loader, trusting
from command_service.handling.locks import StreamLocks
from command_service.handling.movements import Claim, claim_of
from shared.errors import DomainError

Handler = Callable[..., Awaitable[Decision]]
BoundHandler = Callable[[Envelope], Awaitable[Decision]]

PER_REQUEST = ("target_id", "metadata")
"""Names a handler may ask for that come with each request, not from the composition root."""


@dataclass(frozen=True)
class Outcome:
    response: dict[str, Any]
    token: ConsistencyToken
    replayed: bool = False

    def body(self) -> dict[str, Any]:
        return {
            **self.response,
            "version": self.token.version,
            "position": self.token.position,
            "consistency_token": self.token.encode(),
        }


class IdempotencyKeyReusedError(Exception):
    """The same Idempotency-Key came with a different request."""


class PreconditionFailedError(Exception):
    """If-Match named a version the stream is not at."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, If-Match said {expected}")
        self.expected = expected
        self.actual = actual


class ConflictError(Exception):
    """Still conflicting after the bounded number of retries."""


def request_hash(env: Envelope) -> str:
    target = None if env.command.creates_aggregate else env.target_id
    body = {"command": type(env.command).__name__, "target": target, "data": env.command.model_dump(mode="json")}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def _token_at(store: EventStore, stream_id: str, version: int) -> ConsistencyToken:
    """The token of the stream as the handler read it (the version it decided on)."""
    last = await store.read_stream(stream_id, version, to_version=version) if version > 0 else []
    return ConsistencyToken(stream_id, version, last[-1].position if last else 0)


class MissingDependencyError(TypeError):
    """A handler asks for a dependency that no one provides (raised at start-up)."""


class ReservedIdempotencyKeyError(ValueError):
    """An Idempotency-Key in a movement's namespace (`<kind>:…`, where the dispatcher records
    movement ids): a process manager's or a caller's key must never meet such a record. A
    programming error, raised before anything is read or appended (the HTTP API scopes every
    client's key under `http:`, never a movement kind)."""

    def __init__(self, key: str, kind: str) -> None:
        super().__init__(f"idempotency key {key!r} is in the reserved namespace {kind!r}")


def inject(handler: Handler, dependencies: Mapping[str, Any]) -> BoundHandler:
    """`handler` with its keyword-only parameters filled by name: from `dependencies` once,
    and `target_id` / `metadata` from each request's envelope."""
    wanted = [p.name for p in inspect.signature(handler).parameters.values() if p.kind is p.KEYWORD_ONLY]
    missing = [name for name in wanted if name not in dependencies and name not in PER_REQUEST]
    if missing:
        raise MissingDependencyError(
            f"handler {handler.__module__}.{handler.__qualname__} asks for {', '.join(missing)}; "
            f"provided: {', '.join(sorted([*dependencies, *PER_REQUEST]))}"
        )
    bound = functools.partial(handler, **{name: dependencies[name] for name in wanted if name in dependencies})
    per_request = [name for name in PER_REQUEST if name in wanted]
    if not per_request:
        return lambda env: bound(env.command)
    if per_request == ["target_id"]:
        return lambda env: bound(env.command, target_id=env.target_id)
    return lambda env: bound(env.command, **{name: getattr(env, name) for name in per_request})


class Dispatcher:
    """Runs commands through their handlers (one per command type) and appends the decisions."""

    def __init__(
        self,
        handlers: Mapping[type[Command], Handler],
        *,
        store: EventStore,
        dependencies: Mapping[str, Any],
        locks: StreamLocks | None = None,
        max_attempts: int = 5,
    ) -> None:
        self.store = store
        self._handlers = {command: inject(handler, dependencies) for command, handler in handlers.items()}
        self._locks = locks or StreamLocks()
        self._max_attempts = max_attempts
        self._reserved = frozenset(c.movement.kind for c in handlers if c.movement is not None)
        loader = dependencies.get("load")
        self._loader = loader if isinstance(loader, Loader) else None

    @property
    def command_types(self) -> list[type[Command]]:
        """The commands this dispatcher runs (every context's, as its registry merged them)."""
        return list(self._handlers)

    async def __call__(self, env: Envelope) -> Outcome:
        """Run the command's handler and append its decision; raise the domain's error unchanged."""
        handler = self._handlers[type(env.command)]
        if env.idempotency_key is not None and (kind := env.idempotency_key.partition(":")[0]) in self._reserved:
            raise ReservedIdempotencyKeyError(env.idempotency_key, kind)
        store, locks, max_attempts = self.store, self._locks, self._max_attempts
        digest = request_hash(env) if env.idempotency_key is not None else ""
        command = env.command
        claim = claim_of(command.movement, env.target_id, command.model_dump(mode="json")) if command.movement else None
        contended: list[str] = []  # streams of the last conflicting attempt: lock them for the next
        # Decide on cached state unread first (see loading.trusting), on read state after a doubt; an
        # If-Match compares against the stored version, so such a request reads it at once.
        trust = env.expected_version is None
        for _ in range(max_attempts):
            async with locks.hold(contended):
                if env.idempotency_key is not None:
                    seen = await store.idempotency(env.idempotency_key)
                    if seen is not None:
                        if seen.request_hash != digest:
                            raise IdempotencyKeyReusedError(env.idempotency_key)
                        return Outcome(seen.response, seen.token, replayed=True)
                unread: list[tuple[str, int]] = []
                try:
                    if trust:
                        with trusting() as unread:
                            decision = await handler(env)
                    else:
                        decision = await handler(env)
                except DomainError:
                    if unread:
                        trust = False  # refused on cached state: decide again on the stream as stored
                        continue
                    if claim is not None and (replay := await _replay(store, claim)) is not None:
                        return replay  # recorded before, now refused: the first answer
                    raise
                if unread and not _verified_by_append(decision, unread):
                    trust = False
                    continue
                primary = decision.streams[0]
                if env.expected_version is not None and primary.expected_version != env.expected_version:
                    raise PreconditionFailedError(primary.stream_id, env.expected_version, primary.expected_version)
                if not any(s.events for s in decision.streams):
                    # Nothing to record (e.g. a payment provider repeating itself): answer with where the
                    # stream is. Nothing is appended, so no idempotency record either; deciding again
                    # gives the same answer.
                    token = await _token_at(store, primary.stream_id, primary.expected_version)
                    return Outcome(decision.response, token)
                names = [s.stream_id for s in decision.streams]
                if not contended and locks.busy(names):
                    contended = names  # others already queue for these streams: join the queue, don't race them
                    continue
                key = env.idempotency_key
                records = [IdempotencyRecord(key, digest, decision.response)] if key else []
                if claim is not None:
                    records.append(claim.record(decision.response))
                try:
                    result = await store.append(decision.streams, records)
                except ConcurrencyError as exc:
                    if env.expected_version is not None and exc.stream_id == primary.stream_id:
                        raise PreconditionFailedError(exc.stream_id, env.expected_version, exc.actual) from exc
                    contended = names  # someone wrote first: reload and decide again, in line
                    trust = False
                    continue
                except DuplicateIdempotencyKeyError as exc:
                    if claim is not None and exc.key == claim.key and (replay := await _replay(store, claim)):
                        return replay  # the movement is recorded: the first answer
                    continue  # or a concurrent twin won; the next round answers with its result
                loader = self._loader
                for stream in decision.streams:  # the cache and snapshots: no await unless one is due
                    if stream.events:
                        at = result.versions[stream.stream_id]
                        advance(store, stream.stream_id, at, stream.events)
                        if loader is not None and (
                            due := loader.snapshots_due(stream.stream_id, at, len(stream.events))
                        ):
                            await loader.save(due)  # as `appended`, without an await per stream
                return Outcome(decision.response, result.token(primary.stream_id))
        raise ConflictError(f"still conflicting after {max_attempts} attempts; retry the request")


async def _replay(store: EventStore, claim: Claim) -> Outcome | None:
    """The first answer of a recorded movement with this body; None when it is not recorded."""
    stored = await store.idempotency(claim.key)
    if stored is None or not claim.matches(stored):
        return None
    return Outcome(stored.response, stored.token, replayed=True)


def _verified_by_append(decision: Decision, unread: list[tuple[str, int]]) -> bool:
    """True when the append checks every stream decided on unread: it appends events to each at
    the version the cache had, so a stale entry makes the append conflict instead of committing."""
    appended = {s.stream_id: s.expected_version for s in decision.streams if s.events}
    return all(appended.get(stream_id) == version for stream_id, version in unread)
