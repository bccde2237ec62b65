"""A client as a real one behaves: every command carries an Idempotency-Key (and the same key as
its correlation id, so the store's events name the request they came from), and is retried with
the same key and body until it gets an answer that is not "try again": on a refused or dropped
connection, a timeout, a 503 (after its `Retry-After`) or a 429, with backoff. The log of every
operation (what was sent, each attempt's outcome, the final answer) is what the chaos suite's
end checks compare the store with."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import auth

RETRY = frozenset({429, 502, 503, 504})
MAX_BACKOFF = 2.0
STALL_SECONDS = 300.0
"""An operation that got no final answer for this long fails the run: something never came back."""


class StalledError(AssertionError):
    pass


@dataclass
class Operation:
    kind: str
    key: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    attempts: list[str] = field(default_factory=list)
    """Each attempt's outcome: the status, or the name of the transport error."""
    status: int | None = None
    answer: dict[str, Any] = field(default_factory=dict)
    token: dict[str, Any] | None = None
    """The consistency token of a 2xx command answer: stream_id, version, position."""
    answered_at: float = 0.0

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_command(self) -> bool:
        return self.method == "POST"


@dataclass
class ClientLog:
    operations: list[Operation] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    """Every attempt's outcome, by status or error name, per service: "command 503", "query ConnectError"."""
    unavailable_with_retry_after: Counter[str] = field(default_factory=Counter)
    unavailable_without_retry_after: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    """Every 500 (or other 5xx that is not a 'try again'): none is allowed."""

    def accepted(self, kind: str | None = None) -> list[Operation]:
        return [op for op in self.operations if op.accepted and op.is_command and kind in (None, op.kind)]

    @property
    def accepted_count(self) -> int:
        return sum(1 for op in self.operations if op.accepted and op.is_command)

    def summary(self) -> dict[str, int]:
        commands = [op for op in self.operations if op.is_command]
        return {
            "commands_sent": len(commands),
            "commands_accepted": sum(op.accepted for op in commands),
            "commands_refused_4xx": sum(op.status is not None and 400 <= op.status < 500 for op in commands),
            "commands_retried": sum(len(op.attempts) > 1 for op in commands),
            "command_attempts": sum(len(op.attempts) for op in commands),
            "reads_sent": len(self.operations) - len(commands),
            "read_attempts": sum(len(op.attempts) for op in self.operations if not op.is_command),
        }


def _token(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's `X-Consistency-Token` ("<stream id>:<version>:<position>"), parsed."""
    raw = response.headers.get("X-Consistency-Token")
    if raw is None:
        return None
    stream_id, version, position = raw.rsplit(":", 2)
    return {"stream_id": stream_id, "version": int(version), "position": int(position)}


class Client:
    """One HTTP client for the command service (`service` "command") or the query service ("query")."""

    def __init__(self, service: str, url: str, log: ClientLog, *, rng: random.Random) -> None:
        self.service = service
        self.url = url
        self.log = log
        self.rng = rng
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0), headers=auth.STAFF)

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, op: Operation) -> Operation:
        """Until a final answer (2xx, or a 4xx other than 429); that answer is in `op`."""
        self.log.operations.append(op)
        headers = {"Idempotency-Key": op.key, "X-Correlation-Id": op.key} if op.is_command else {}
        backoff = 0.05
        moved_at = time.monotonic()
        while True:
            wait = backoff
            try:
                response = await self.http.request(op.method, f"{self.url}{op.path}", json=op.body, headers=headers)
            except httpx.TransportError as exc:
                outcome = type(exc).__name__
            else:
                outcome = str(response.status_code)
                if response.status_code not in RETRY and response.status_code < 500:
                    op.attempts.append(outcome)
                    self.log.statuses[f"{self.service} {outcome}"] += 1
                    op.status = response.status_code
                    op.answer = response.json() if response.content else {}
                    op.token = _token(response) if op.accepted else None
                    op.answered_at = time.monotonic()
                    return op
                if response.status_code == 503:
                    retry_after = response.headers.get("Retry-After")
                    counter = (
                        self.log.unavailable_with_retry_after
                        if retry_after
                        else self.log.unavailable_without_retry_after
                    )
                    counter[self.service] += 1
                    wait = max(wait, float(retry_after or 0))
                elif response.status_code == 429:
                    wait = max(wait, float(response.headers.get("Retry-After") or 0))
                elif response.status_code >= 500:
                    self.log.server_errors.append(f"{self.service} {op.method} {op.path}: {response.text[:300]}")
            op.attempts.append(outcome)
            self.log.statuses[f"{self.service} {outcome}"] += 1
            if time.monotonic() - moved_at > STALL_SECONDS:
                raise StalledError(f"{op.kind} {op.key}: no answer in {STALL_SECONDS:.0f}s: {op.attempts[-10:]}")
            await asyncio.sleep(wait * (0.5 + self.rng.random()))
            backoff = min(backoff * 2, MAX_BACKOFF)
