"""`dispatch`: every command goes through it the same way — idempotency, If-Match,
bounded retry of concurrency conflicts, one atomic append."""

from __future__ import annotations

import hashlib
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
from command_service.handlers.base import Clock, Envelope, Policy
from command_service.handlers.locks import StreamLocks
from command_service.handlers.registry import COMMAND_HANDLERS

_LOCKS = StreamLocks()


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


async def dispatch(
    env: Envelope,
    *,
    store: EventStore,
    clock: Clock,
    policy: Policy | None = None,
    locks: StreamLocks | None = None,
    max_attempts: int = 5,
) -> Outcome:
    """Run the command's handler and append its decision; raise the domain's error unchanged."""
    handler = COMMAND_HANDLERS[type(env.command)]
    digest = request_hash(env)
    policy = policy or Policy()
    locks = locks or _LOCKS
    contended: list[str] = []  # streams of the last conflicting attempt: lock them for the next
    for _ in range(max_attempts):
        async with locks.hold(contended):
            if env.idempotency_key is not None:
                seen = await store.idempotency(env.idempotency_key)
                if seen is not None:
                    if seen.request_hash != digest:
                        raise IdempotencyKeyReusedError(env.idempotency_key)
                    return Outcome(seen.response, seen.token, replayed=True)
            decision = await handler(env, store=store, clock=clock, policy=policy)
            primary = decision.streams[0]
            if env.expected_version is not None and primary.expected_version != env.expected_version:
                raise PreconditionFailedError(primary.stream_id, env.expected_version, primary.expected_version)
            if not any(s.events for s in decision.streams):
                # Nothing to record (e.g. a payment provider repeating itself): answer with where the
                # stream is. Nothing is appended, so no idempotency record either; deciding again
                # gives the same answer.
                return Outcome(decision.response, await _token_at(store, primary.stream_id, primary.expected_version))
            names = [s.stream_id for s in decision.streams]
            if not contended and locks.busy(names):
                contended = names  # others already queue for these streams: join the queue, don't race them
                continue
            record = IdempotencyRecord(env.idempotency_key, digest, decision.response) if env.idempotency_key else None
            try:
                result = await store.append(decision.streams, record)
            except ConcurrencyError as exc:
                if env.expected_version is not None and exc.stream_id == primary.stream_id:
                    raise PreconditionFailedError(exc.stream_id, env.expected_version, exc.actual) from exc
                contended = names  # someone wrote first: reload and decide again, in line
                continue
            except DuplicateIdempotencyKeyError:
                continue  # a concurrent twin won; the next round answers with its result
            return Outcome(decision.response, result.token(primary.stream_id))
    raise ConflictError(f"still conflicting after {max_attempts} attempts; retry the request")
